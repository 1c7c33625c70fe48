import type { Prisma, PrismaClient } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { databaseNow } from "@/lib/db/database-clock";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";
import type { LeaseTarget } from "./lease-run";

/** A worker's hold on one job: the job's id and the fencing token its claim was given. */
export interface JobLease {
  jobId: string;
  token: number;
}

/** The job was taken over (or ended) by someone else: this worker must stop writing to it. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`the lease on job ${jobId} was lost: another worker has taken it over`);
  }
}

/**
 * Writes `data` to the job only while `lease` is still the job's current one, and extends the
 * lease; throws LeaseLostError (writing nothing) when it is not. Returns the new expiry.
 */
export async function writeUnderLease(
  tx: Prisma.TransactionClient | PrismaClient,
  lease: JobLease,
  data: Prisma.JobUpdateManyMutationInput,
): Promise<Date> {
  const now = databaseNow();
  const expires = new Date(now.getTime() + getConfig().workerLeaseMs);
  const { count } = await tx.job.updateMany({
    where: { id: lease.jobId, leaseToken: lease.token, state: JOB_STATES.RUNNING },
    // `data` may end the lease itself (a job handed back).
    data: { heartbeatAt: now, leaseExpiresAt: expires, ...data },
  });
  if (count !== 1) throw new LeaseLostError(lease.jobId);
  return expires;
}

/** A whole job's lease: its progress and outcome are written to its own row. */
export function jobTarget(lease: JobLease): LeaseTarget {
  return {
    name: `job ${lease.jobId}`,
    kind: "job",
    write: (client, data) => writeUnderLease(client, lease, data).then(() => undefined),
    stopRequested: () => wasStopRequested(lease.jobId),
  };
}

export async function wasStopRequested(jobId: string): Promise<boolean> {
  const row = await db().job.findUnique({ where: { id: jobId }, select: { abortRequested: true } });
  return !!row?.abortRequested;
}
