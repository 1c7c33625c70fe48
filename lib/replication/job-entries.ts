import { db } from "@/lib/db/prisma";
import { toCsv } from "@/lib/csv";
import { skipReasonWords } from "@/lib/format";
import { getRelationshipJob } from "./job-history";

export interface JobEntries {
  /** Files the job could not copy, in the order it met them. */
  failed: Array<{ path: string; message: string }>;
  /** Entries it left alone, with the reason in words. */
  skipped: Array<{ path: string; reason: string }>;
}

/** What a job could not copy and what it skipped (the first 1,000 of each that it met). */
export async function listJobEntries({ id, jobId, limit = 1000 }: { id: string; jobId: string; limit?: number }) {
  const job = await getRelationshipJob({ id, jobId });
  const [failed, skipped] = await Promise.all([
    db().jobFileError.findMany({ where: { jobId: job.job_id }, orderBy: { id: "asc" }, take: limit }),
    db().jobSkippedEntry.findMany({ where: { jobId: job.job_id }, orderBy: { id: "asc" }, take: limit }),
  ]);
  return {
    failed: failed.map((row) => ({ path: row.path, message: row.message })),
    skipped: skipped.map((row) => ({ path: row.path, reason: skipReasonWords(row.reason) })),
  } satisfies JobEntries;
}

/** The same as a CSV file to download: one row per entry, failures first. */
export async function jobEntriesDownload({ id, jobId }: { id: string; jobId: string }) {
  const entries = await listJobEntries({ id, jobId });
  const rows = [
    ...entries.failed.map((e) => [e.path, "could not be copied", e.message]),
    ...entries.skipped.map((e) => [e.path, "skipped", e.reason]),
  ];
  return {
    filename: `job-${jobId}-entries.csv`,
    contentType: "text/csv; charset=utf-8",
    body: toCsv(["path", "result", "reason"], rows),
  };
}
