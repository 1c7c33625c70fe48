import { db } from "@/lib/db/prisma";
import { toCsv } from "@/lib/csv";
import { skipReasonWords } from "@/lib/format";
import { getRelationshipJob, type JobHistoryRow } from "./job-history";

export interface JobEntries {
  /** Files the job could not copy, in the order it met them. */
  failed: Array<{ path: string; message: string }>;
  /** Entries it left alone: the reason's code (symlink, fifo…) and its words. */
  skipped: Array<{ path: string; reason: string; code: string }>;
}

/**
 * What a job could not copy and what it skipped (the first 1,000 of each that it met). It takes
 * the job as getRelationshipJob returns it: a job id from an address is checked against its copy first.
 */
export async function entriesOf(job: JobHistoryRow, limit = 1000): Promise<JobEntries> {
  const [failed, skipped] = await Promise.all([
    db().jobFileError.findMany({ where: { jobId: job.job_id }, orderBy: { id: "asc" }, take: limit }),
    db().jobSkippedEntry.findMany({ where: { jobId: job.job_id }, orderBy: { id: "asc" }, take: limit }),
  ]);
  return {
    failed: failed.map((row) => ({ path: row.path, message: row.message })),
    skipped: skipped.map((row) => ({ path: row.path, reason: skipReasonWords(row.reason), code: row.reason })),
  };
}

/** The entries of the copy's job `jobId`. */
export async function listJobEntries({ id, jobId, limit }: { id: string; jobId: string; limit?: number }) {
  return entriesOf(await getRelationshipJob({ id, jobId }), limit);
}

/** The same as a CSV file to download: one row per entry, failures first, with a stable code for each skip. */
export async function jobEntriesDownload({ id, jobId }: { id: string; jobId: string }) {
  const entries = await listJobEntries({ id, jobId });
  const rows = [
    ...entries.failed.map((e) => [e.path, "failed", "", e.message]),
    ...entries.skipped.map((e) => [e.path, "skipped", e.code, e.reason]),
  ];
  return {
    filename: `job-${jobId}-entries.csv`,
    contentType: "text/csv; charset=utf-8",
    body: toCsv(["path", "result", "code", "reason"], rows),
  };
}
