import { db } from "@/lib/db/prisma";
import { storableText } from "@/lib/db/storable-text";
import type { EngineEvent } from "@/lib/engine/events";

/** Each list keeps a job's first rows only: enough to act on, and bounded on a million-file job. */
export const MAX_ROWS_PER_LIST = 1000;
/** A copy keeps the lists of its newest jobs only: a tree of links would otherwise add the same rows at every run. */
export const JOBS_WITH_LISTS = 20;

/**
 * The files a job could not copy and the entries it left alone, gathered from the engine's events
 * and written with each progress flush.
 */
export class JobEntryRows {
  private failed: Array<{ path: string; message: string }> = [];
  private skipped: Array<{ path: string; reason: string }> = [];
  private failedSeen = 0;
  private skippedSeen = 0;

  constructor(private readonly jobId: string) {}

  readonly listener = (event: EngineEvent): void => {
    if (event.type === "file-failed" && this.failedSeen++ < MAX_ROWS_PER_LIST)
      this.failed.push({ path: storableText(event.path), message: storableText(event.message) });
    else if (event.type === "file-skipped" && this.skippedSeen++ < MAX_ROWS_PER_LIST)
      this.skipped.push({ path: storableText(event.path), reason: event.reason });
  };

  /** Writes what has come in, both lists in one transaction; rows leave the buffer only once written. */
  async flush(): Promise<void> {
    const failed = this.failed.slice();
    const skipped = this.skipped.slice();
    if (failed.length === 0 && skipped.length === 0) return;
    const jobId = this.jobId;
    await db().$transaction([
      db().jobFileError.createMany({ data: failed.map((r) => ({ jobId, ...r })) }),
      db().jobSkippedEntry.createMany({ data: skipped.map((r) => ({ jobId, ...r })) }),
    ]);
    this.failed.splice(0, failed.length);
    this.skipped.splice(0, skipped.length);
  }
}

/** Drops the entry lists of the copy's jobs older than its JOBS_WITH_LISTS newest (their counts stay). */
export async function pruneEntryLists(relationshipId: string): Promise<void> {
  const older = await db().job.findMany({
    where: { relationshipId },
    orderBy: { createdAt: "desc" },
    skip: JOBS_WITH_LISTS,
    // A long history is worked off a slice per job, never in one statement.
    take: 500,
    select: { id: true },
  });
  if (older.length === 0) return;
  const jobIds = older.map((job) => job.id);
  await db().$transaction([
    db().jobFileError.deleteMany({ where: { jobId: { in: jobIds } } }),
    db().jobSkippedEntry.deleteMany({ where: { jobId: { in: jobIds } } }),
  ]);
}
