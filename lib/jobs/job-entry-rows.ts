import type { Prisma } from "@/generated/prisma/client";
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

  hasRows(): boolean {
    return this.failed.length > 0 || this.skipped.length > 0;
  }

  /**
   * What has come in so far, to be written within the caller's transaction (the one that holds
   * the lease): taken now, with the counters it must agree with, not when the transaction gets
   * to it. The rows leave the buffer only once `committed` is called after it.
   */
  prepare(): (tx: Prisma.TransactionClient) => Promise<{ committed: () => void }> {
    const failed = this.failed.length;
    const skipped = this.skipped.length;
    return (tx) => this.writeIn(tx, failed, skipped);
  }

  private async writeIn(
    tx: Prisma.TransactionClient,
    failed: number,
    skipped: number,
  ): Promise<{ committed: () => void }> {
    const jobId = this.jobId;
    if (failed > 0)
      await tx.jobFileError.createMany({ data: this.failed.slice(0, failed).map((r) => ({ jobId, ...r })) });
    if (skipped > 0)
      await tx.jobSkippedEntry.createMany({ data: this.skipped.slice(0, skipped).map((r) => ({ jobId, ...r })) });
    return {
      committed: () => {
        this.failed.splice(0, failed);
        this.skipped.splice(0, skipped);
      },
    };
  }
}

/** Empties one job's lists (a job taken over lists again what its new attempt finds). */
export async function dropEntryLists(tx: Prisma.TransactionClient, jobId: string): Promise<void> {
  await tx.jobFileError.deleteMany({ where: { jobId } });
  await tx.jobSkippedEntry.deleteMany({ where: { jobId } });
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
