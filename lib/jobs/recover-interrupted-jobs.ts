import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";

export const HEARTBEAT_STALE_MS = 30_000;

/** A running job whose worker has not beaten for a while belongs to a worker that died. */
export async function recoverInterruptedJobs(now = new Date()): Promise<number> {
  const stale = new Date(now.getTime() - HEARTBEAT_STALE_MS);
  const result = await db().job.updateMany({
    where: { state: JOB_STATES.RUNNING, heartbeatAt: { lt: stale } },
    data: {
      state: JOB_STATES.INTERRUPTED,
      endTime: now,
      error: `The worker running this job stopped without finishing it (no heartbeat for ${HEARTBEAT_STALE_MS / 1000} s). Start the job again: files already copied are not sent again.`,
    },
  });
  return result.count;
}
