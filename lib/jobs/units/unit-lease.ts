import type { JobUnit, Prisma, PrismaClient } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { databaseNow } from "@/lib/db/database-clock";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";
import { LeaseLostError } from "../job-lease";
import { MAX_TAKEOVERS } from "../take-over-lost-jobs";

export const UNIT_STATES = { QUEUED: "QUEUED", RUNNING: "RUNNING", DONE: "DONE" } as const;

/** A worker's hold on one work unit. */
export interface UnitLease {
  jobId: string;
  index: number;
  token: number;
}

/**
 * Takes the first queued unit of the oldest job still going (not stopped) and a lease on it, in
 * one statement: SKIP LOCKED gives workers claiming at once different units. Work units exist
 * on PostgreSQL only.
 */
export async function claimNextUnit(workerId: string): Promise<JobUnit | null> {
  if (databaseKind() !== "postgresql") return null;
  const leaseMs = getConfig().workerLeaseMs;
  const rows = await db().$queryRaw<Array<{ jobId: string; index: number; token: number }>>`
    WITH next AS (
      SELECT u."jobId", u.index FROM "JobUnit" u JOIN "Job" j ON j.id = u."jobId"
      WHERE u.state = ${UNIT_STATES.QUEUED} AND j.state IN (${JOB_STATES.RUNNING}, ${JOB_STATES.QUEUED})
        AND NOT j."abortRequested"
      ORDER BY j."createdAt", u.index LIMIT 1
      FOR UPDATE OF u SKIP LOCKED
    ), now AS (SELECT clock_timestamp() AT TIME ZONE 'UTC' AS at)
    UPDATE "JobUnit" AS unit SET
      state = ${UNIT_STATES.RUNNING},
      "workerId" = ${workerId},
      "leaseToken" = unit."leaseToken" + 1,
      "heartbeatAt" = now.at,
      "leaseExpiresAt" = now.at + make_interval(secs => ${leaseMs / 1000}::double precision)
    FROM next, now
    WHERE unit."jobId" = next."jobId" AND unit.index = next.index
    RETURNING unit."jobId", unit.index, unit."leaseToken" AS token`;
  const claim = rows[0];
  if (!claim) return null;
  const unit = await db().jobUnit.findUnique({ where: { jobId_index: { jobId: claim.jobId, index: claim.index } } });
  // Taken over between the claim and this read (a worker frozen for a whole lease): not ours.
  return unit && unit.leaseToken === Number(claim.token) && unit.workerId === workerId ? unit : null;
}

/** Writes `data` to the unit only while `lease` is its current one, and extends the lease. */
export async function writeUnderUnitLease(
  client: Prisma.TransactionClient | PrismaClient,
  lease: UnitLease,
  data: Prisma.JobUnitUpdateManyMutationInput,
): Promise<void> {
  const now = databaseNow();
  const { count } = await client.jobUnit.updateMany({
    where: { jobId: lease.jobId, index: lease.index, leaseToken: lease.token, state: UNIT_STATES.RUNNING },
    // `data` may end the lease itself (a unit handed back).
    data: { heartbeatAt: now, leaseExpiresAt: new Date(now.getTime() + getConfig().workerLeaseMs), ...data },
  });
  if (count !== 1) throw new LeaseLostError(`${lease.jobId} (unit ${lease.index})`);
}

/**
 * Units whose lease ran out go back to the queue with a new fencing token: the next claim goes
 * on from what they committed, and the lost worker's late writes are refused. A unit of a job
 * stopped, ended or lost too often is ended instead. Returns how many units were handed on.
 */
export async function takeOverLostUnits(now = databaseNow()): Promise<number> {
  if (databaseKind() !== "postgresql") return 0;
  const lost = await db().jobUnit.findMany({
    where: { state: UNIT_STATES.RUNNING, leaseExpiresAt: { lt: now } },
    select: {
      jobId: true,
      index: true,
      leaseToken: true,
      takeovers: true,
      job: { select: { state: true, abortRequested: true } },
    },
  });
  let requeued = 0;
  for (const unit of lost) {
    // Still lost when written: a renewal that landed since the read above keeps the unit.
    const guard = {
      jobId: unit.jobId,
      index: unit.index,
      leaseToken: unit.leaseToken,
      state: UNIT_STATES.RUNNING,
      leaseExpiresAt: { lt: now },
    };
    const fenced = { leaseToken: unit.leaseToken + 1, leaseExpiresAt: null, workerId: null };
    const jobGoing = unit.job.state === JOB_STATES.RUNNING || unit.job.state === JOB_STATES.QUEUED;
    if (unit.job.abortRequested || !jobGoing) {
      await db().jobUnit.updateMany({
        where: guard,
        // Counted as lost: the job's last sweep looks for what its attempt left.
        data: {
          ...fenced,
          state: UNIT_STATES.DONE,
          outcome: "ABORTED",
          error: "The job was stopped.",
          takeovers: { increment: 1 },
        },
      });
    } else if (unit.takeovers >= MAX_TAKEOVERS) {
      await db().jobUnit.updateMany({
        where: guard,
        data: {
          ...fenced,
          state: UNIT_STATES.DONE,
          outcome: "FAILED",
          error: `A part of the job was handed to another worker ${unit.takeovers} times, and its worker stopped renewing its lease once more. Start the job again: files already copied are not copied again.`,
        },
      });
    } else {
      const { count } = await db().jobUnit.updateMany({
        where: guard,
        data: { ...fenced, state: UNIT_STATES.QUEUED, takeovers: { increment: 1 } },
      });
      requeued += count;
    }
  }
  // Units left queued by a job that ended without them (lost too often, say) are never claimed: ended too.
  await db().$executeRaw`UPDATE "JobUnit" SET state = ${UNIT_STATES.DONE}, outcome = 'ABORTED'
    WHERE state = ${UNIT_STATES.QUEUED} AND "jobId" IN (SELECT id FROM "Job" WHERE state NOT IN (${JOB_STATES.RUNNING}, ${JOB_STATES.QUEUED}))`;
  return requeued;
}
