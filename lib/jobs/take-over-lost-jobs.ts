import { getConfig } from "@/lib/config";
import { databaseNow } from "@/lib/db/database-clock";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";
import { processSpace } from "./worker-registry";

/** A job whose workers keep dying is not handed on for ever: the next loss interrupts it. */
export const MAX_TAKEOVERS = 3;
/** A live worker renews its leases every 500 ms; a local job this quiet whose process is gone is certainly orphaned. */
const LOCAL_QUIET_MS = 3_000;

const RESTART_HINT = "Start the job again: files already copied are not copied again.";

export interface TakeOverCounts {
  /** Put back in the queue for any worker to continue. */
  requeued: number;
  /** Ended: stopped by request, or lost too often. */
  ended: number;
}

/**
 * Jobs whose lease ran out (their worker stopped beating: a crash, a kill, a host cut off) go
 * back to the queue with a new fencing token, so that the next claim continues them and the
 * lost worker's late writes are refused. A lease held by a worker of this process space whose
 * process no longer exists is ended at once, without waiting for it to run out.
 */
export async function takeOverLostJobs(now = databaseNow()): Promise<TakeOverCounts> {
  await expireLeasesOfDeadLocalWorkers(now);
  const leaseMs = getConfig().workerLeaseMs;
  const lost = await db().job.findMany({
    where: {
      state: JOB_STATES.RUNNING,
      OR: [
        { leaseExpiresAt: { lt: now } },
        // Jobs claimed before leases existed (an upgrade) carry only a heartbeat.
        { leaseExpiresAt: null, heartbeatAt: { lt: new Date(now.getTime() - leaseMs) } },
      ],
    },
    select: { id: true, leaseToken: true, leaseExpiresAt: true, abortRequested: true, takeovers: true },
  });
  const counts: TakeOverCounts = { requeued: 0, ended: 0 };
  for (const job of lost) {
    // Still lost when written: a renewal that landed since the read above keeps the job.
    const guard = {
      id: job.id,
      leaseToken: job.leaseToken,
      state: JOB_STATES.RUNNING,
      leaseExpiresAt: job.leaseExpiresAt === null ? null : { lt: now },
    };
    const fenced = { leaseToken: job.leaseToken + 1, leaseExpiresAt: null, workerId: null };
    const end = async (state: string, error: string) => {
      const { count } = await db().job.updateMany({ where: guard, data: { ...fenced, state, endTime: now, error } });
      counts.ended += count;
    };
    if (job.abortRequested) {
      await end(JOB_STATES.ABORTED, "The job was stopped; its worker ended before it could confirm the stop.");
    } else if (job.leaseExpiresAt === null) {
      // Left running by a version without leases: ended as that version would have, not re-run
      // unasked long after.
      await end(
        JOB_STATES.INTERRUPTED,
        `The worker running this job stopped without finishing it (no heartbeat for ${leaseMs / 1000} s). ${RESTART_HINT}`,
      );
    } else if (job.takeovers >= MAX_TAKEOVERS) {
      await end(
        JOB_STATES.INTERRUPTED,
        `The job was handed to another worker ${job.takeovers} times, and its worker stopped renewing its lease once more. ${RESTART_HINT}`,
      );
    } else {
      // A stop asked for since the read above leaves the job running, for the next pass to end.
      const { count } = await db().job.updateMany({
        where: { ...guard, abortRequested: false },
        data: { ...fenced, state: JOB_STATES.QUEUED, takeovers: { increment: 1 } },
      });
      counts.requeued += count;
    }
  }
  return counts;
}

async function expireLeasesOfDeadLocalWorkers(now: Date): Promise<void> {
  const quiet = new Date(now.getTime() - LOCAL_QUIET_MS);
  const neighbours = await db().worker.findMany({
    where: { processSpace: processSpace(), stoppedAt: null, heartbeatAt: { lt: quiet } },
    select: { id: true, pid: true },
  });
  for (const worker of neighbours) {
    if (processExists(worker.pid)) continue;
    await db().job.updateMany({
      where: { workerId: worker.id, state: JOB_STATES.RUNNING, heartbeatAt: { lt: quiet } },
      data: { leaseExpiresAt: new Date(now.getTime() - 1) },
    });
    await db().jobUnit.updateMany({
      where: { workerId: worker.id, state: "RUNNING", heartbeatAt: { lt: quiet } },
      data: { leaseExpiresAt: new Date(now.getTime() - 1) },
    });
    await db().worker.updateMany({ where: { id: worker.id }, data: { stoppedAt: now } });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
