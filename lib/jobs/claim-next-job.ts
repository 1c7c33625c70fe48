import type { Job } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";

/** Takes the oldest queued job; the conditional update makes the claim safe between workers. */
export async function claimNextJob(workerId: string): Promise<Job | null> {
  const prisma = db();
  for (;;) {
    const candidate = await prisma.job.findFirst({
      where: { state: JOB_STATES.QUEUED },
      orderBy: { createdAt: "asc" },
    });
    if (!candidate) return null;
    const now = new Date();
    const claimed = await prisma.job.updateMany({
      where: { id: candidate.id, state: JOB_STATES.QUEUED },
      data: { state: JOB_STATES.RUNNING, workerId, startTime: now, heartbeatAt: now },
    });
    if (claimed.count === 1)
      return { ...candidate, state: JOB_STATES.RUNNING, workerId, startTime: now, heartbeatAt: now };
  }
}
