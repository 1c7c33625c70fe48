import type { Job } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { findRelationship } from "./find-relationship";
import { JOB_STATES } from "./job-states";
import { jobProgressView } from "./views";

/** The relationship's jobs, newest first. */
export async function listRelationshipJobs({ id, limit = 20 }: { id: string; limit?: number }) {
  const relationship = await findRelationship(id);
  const jobs = await db().job.findMany({
    where: { relationshipId: relationship.id },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return jobs.map(historyRow);
}

/** The relationship's job that succeeded last (by its end, as the list's last_success_time), or null when none has. */
export async function findLastSucceededJob({ id }: { id: string }) {
  const relationship = await findRelationship(id);
  const job = await db().job.findFirst({
    where: { relationshipId: relationship.id, state: JOB_STATES.SUCCEEDED },
    orderBy: { endTime: "desc" },
  });
  return job ? historyRow(job) : null;
}

function historyRow(job: Job) {
  return {
    job_id: job.id,
    state: job.state,
    queued_at: job.createdAt.toISOString(),
    /** False for a job stopped before the worker took it: start_time is then when it was queued. */
    started: job.startTime !== null,
    start_time: (job.startTime ?? job.createdAt).toISOString(),
    /** When every file had been counted ("" until then); transfers run while the count goes on. */
    totals_known_at: job.totalsKnownAt?.toISOString() ?? "",
    end_time: job.endTime?.toISOString() ?? "",
    error: job.error,
    read_mode: job.readMode,
    job_progress: jobProgressView(job),
  };
}

export type JobHistoryRow = ReturnType<typeof historyRow>;

/** One job of the copy, as the history shows it; a job id from the address bar must belong to the copy. */
export async function getRelationshipJob({ id, jobId }: { id: string; jobId: string }) {
  const relationship = await findRelationship(id);
  const job = await db().job.findFirst({ where: { id: jobId, relationshipId: relationship.id } });
  if (!job) throw new AppError("NOT_FOUND", `This copy has no job with the id "${jobId}".`);
  return historyRow(job);
}
