import os from "node:os";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";

export const HEARTBEAT_STALE_MS = 30_000;
/** A live worker beats every 500 ms; a local job this quiet whose process is gone is certainly orphaned. */
const LOCAL_QUIET_MS = 3_000;

const RESTART_HINT = "Start the job again: files already copied are not copied again.";

/**
 * Running jobs whose worker is gone become INTERRUPTED: at once when that worker ran on this host
 * and its process no longer exists, otherwise when it has not beaten for HEARTBEAT_STALE_MS.
 */
export async function recoverInterruptedJobs(now = new Date()): Promise<number> {
  const prisma = db();
  const stale = new Date(now.getTime() - HEARTBEAT_STALE_MS);
  const byHeartbeat = await prisma.job.updateMany({
    where: { state: JOB_STATES.RUNNING, heartbeatAt: { lt: stale } },
    data: {
      state: JOB_STATES.INTERRUPTED,
      endTime: now,
      error: `The worker running this job stopped without finishing it (no heartbeat for ${HEARTBEAT_STALE_MS / 1000} s). ${RESTART_HINT}`,
    },
  });
  let recovered = byHeartbeat.count;
  const local = await prisma.job.findMany({
    where: {
      state: JOB_STATES.RUNNING,
      workerId: { startsWith: `${os.hostname()}:` },
      heartbeatAt: { lt: new Date(now.getTime() - LOCAL_QUIET_MS) },
    },
    select: { id: true, workerId: true },
  });
  for (const job of local) {
    const pid = Number(job.workerId!.split(":")[1]);
    if (!Number.isInteger(pid) || processExists(pid)) continue;
    const { count } = await prisma.job.updateMany({
      where: { id: job.id, state: JOB_STATES.RUNNING },
      data: {
        state: JOB_STATES.INTERRUPTED,
        endTime: now,
        error: `The worker running this job (process ${pid}) ended without finishing it. ${RESTART_HINT}`,
      },
    });
    recovered += count;
  }
  return recovered;
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
