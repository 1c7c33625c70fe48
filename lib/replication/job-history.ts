import fs from "node:fs/promises";
import type { Job } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import { relationshipLogFile } from "@/lib/data-paths";
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

/** The relationship's newest job that succeeded, or null when none has. */
export async function findLastSucceededJob({ id }: { id: string }) {
  const relationship = await findRelationship(id);
  const job = await db().job.findFirst({
    where: { relationshipId: relationship.id, state: JOB_STATES.SUCCEEDED },
    orderBy: { createdAt: "desc" },
  });
  return job ? historyRow(job) : null;
}

function historyRow(job: Job) {
  return {
    job_id: job.id,
    state: job.state,
    start_time: (job.startTime ?? job.createdAt).toISOString(),
    end_time: job.endTime?.toISOString() ?? "",
    error: job.error,
    read_mode: job.readMode,
    job_progress: jobProgressView(job),
  };
}

export type JobHistoryRow = ReturnType<typeof historyRow>;

/** Files a job could not copy (the first 1,000 it met). */
export async function listJobFileErrors({ jobId, limit = 200 }: { jobId: string; limit?: number }) {
  const rows = await db().jobFileError.findMany({ where: { jobId }, orderBy: { id: "asc" }, take: limit });
  return rows.map((row) => ({ path: row.path, message: row.message }));
}

/** The last lines of the relationship's replication log, oldest first. */
export async function readRelationshipLog({ id, lines = 200 }: { id: string; lines?: number }): Promise<string[]> {
  const relationship = await findRelationship(id);
  let text: string;
  try {
    const handle = await fs.open(relationshipLogFile(relationship.id), "r");
    try {
      const { size } = await handle.stat();
      // The tail is enough: read at most the last 256 KiB, not a log that may have grown large.
      const length = Math.min(size, 256 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text.split("\n").filter(Boolean).slice(-lines);
}
