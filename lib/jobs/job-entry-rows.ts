import { db } from "@/lib/db/prisma";
import type { EngineEvent } from "@/lib/engine/events";

/** Each list keeps a job's first rows only: enough to act on, and bounded on a million-file job. */
export const MAX_ROWS_PER_LIST = 1000;

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
      this.failed.push({ path: event.path, message: event.message });
    else if (event.type === "file-skipped" && this.skippedSeen++ < MAX_ROWS_PER_LIST)
      this.skipped.push({ path: event.path, reason: event.reason });
  };

  async flush(): Promise<void> {
    const failed = this.failed.splice(0);
    const skipped = this.skipped.splice(0);
    const jobId = this.jobId;
    if (failed.length > 0) await db().jobFileError.createMany({ data: failed.map((r) => ({ jobId, ...r })) });
    if (skipped.length > 0) await db().jobSkippedEntry.createMany({ data: skipped.map((r) => ({ jobId, ...r })) });
  }
}
