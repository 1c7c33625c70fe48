import crypto from "node:crypto";
import fs from "node:fs/promises";
import { TreeHandle } from "@/lib/fs/beneath";
import { classifyS3Error, httpStatusOf, s3ErrorCode } from "@/lib/s3/classify-error";
import { SMALL_OBJECT_BYTES } from "@/lib/s3/get-object";
import { placeObject, type DownloadContext, type DownloadSettings } from "./download-file";
import { jobController, type EngineJobInput } from "./job-input";
import { dispositionOf, fatalMessage, JobFailures, localFailureMessage, type CopyResult } from "./job-failures";
import { placeKey, storageClassRefusal } from "./key-path";
import { PartialsJournal } from "./partials-journal";
import { LocalTree } from "./local-tree";
import { mergeJoin } from "./merge";
import { RemoteIndex } from "./remote-index";
import {
  LISTING_RANGE_FILES,
  LISTING_RANGES_MAX,
  listRemote,
  UnsortedListingError,
  type RemoteObject,
} from "./remote-listing";
import { Semaphore } from "@/lib/concurrency/semaphore";

export interface CopyFromObjectInput extends EngineJobInput {
  download: DownloadSettings;
  /** Where the job notes the directories that hold its temporary files (outside the directory). */
  partialsJournal: string;
  /** Tracked files per parallel listing range (LISTING_RANGE_FILES unless a test lists small folders in ranges). */
  listingRangeFiles?: number;
}

/** Refused keys kept for the job's file errors; the count goes on past it. */
const MAX_LISTED_REFUSALS = 1000;

/**
 * Runs one copy-from-S3 job: lists the folder (which gives the totals), refuses the whole folder
 * before writing anything when some key cannot become a file here, then places each object.
 */
export async function copyFromObject(input: CopyFromObjectInput): Promise<CopyResult> {
  const handles = TreeHandle.open(input.directory, {
    expectedIno: input.directoryIno,
    expectedBirthNs: input.directoryBirthNs,
    label: input.directoryLabel,
  });
  try {
    const run = new DownloadRun(input, handles);
    await run.execute();
    return { ...run.result(), readMode: null };
  } finally {
    handles.close();
  }
}

class DownloadRun {
  private readonly controller: AbortController;
  private readonly slots: Semaphore;
  private readonly smallSlots: Semaphore;
  private readonly ctx: DownloadContext;
  private readonly tasks = new Set<Promise<void>>();
  private readonly failures = new JobFailures({ one: "object", many: "objects", verb: "copied" });

  constructor(
    private readonly input: CopyFromObjectInput,
    handles: TreeHandle,
  ) {
    this.controller = jobController(input.signal);
    this.slots = new Semaphore(input.concurrency);
    this.smallSlots = new Semaphore(input.download.smallObjectsInFlight);
    this.ctx = {
      store: input.store,
      bucket: input.bucket,
      folder: input.folder,
      tree: new LocalTree(handles),
      tracking: input.tracking,
      emit: (event) => {
        if (event.type === "file-failed") this.failures.noteFile(input.folder + event.path);
        input.emit(event);
      },
      signal: this.controller.signal,
      bufferBudget: new Semaphore(input.bufferBudgetBytes),
      settings: input.download,
      partials: new Set(),
      journal: new PartialsJournal(input.partialsJournal, handles),
      tempPrefix: crypto.randomBytes(6).toString("hex"),
      tempCount: 0,
    };
  }

  async execute(): Promise<void> {
    let listing: RemoteIndex | undefined;
    try {
      const leftovers = await this.ctx.journal.sweepLeftovers();
      if (leftovers > 0) this.input.emit({ type: "leftovers-removed", count: leftovers });
      listing = await this.listAndCheck();
      if (!listing) return;
      const pairs = mergeJoin(
        listing.sorted(),
        this.input.tracking.rows(),
        (o) => o.relPath,
        (t) => t.path,
      );
      for await (const [object, tracked] of pairs) {
        if (this.controller.signal.aborted) break;
        const placement = placeKey(object);
        if (placement.kind === "directory")
          await this.guard(object, () => this.ctx.tree.ensureDirectory(placement.relPath));
        if (placement.kind !== "file") continue;
        const small = object.size <= BigInt(SMALL_OBJECT_BYTES);
        const release = await (small ? this.smallSlots : this.slots).acquire();
        const task = this.guard(object, () => placeObject(this.ctx, object, placement.relPath, tracked)).finally(() => {
          release();
          this.tasks.delete(task);
        });
        this.tasks.add(task);
      }
    } catch (error) {
      this.handleError(error, undefined);
    } finally {
      await Promise.all(this.tasks);
      await this.removePartials();
      this.ctx.journal.close();
      this.input.tracking.flush();
      listing?.close();
    }
  }

  result(): Omit<CopyResult, "readMode"> {
    return this.failures.outcome(this.input.signal.aborted);
  }

  /**
   * Lists the folder into an index (so the totals are known before any download) and checks every
   * key. A repeat lists it as parallel ranges cut where the tracked paths are, as a copy to S3
   * does; a store that lists out of key order is listed again, whole. Returns nothing when the
   * folder cannot be copied as it is: then nothing has been written.
   */
  private async listAndCheck(): Promise<RemoteIndex | undefined> {
    const splits = this.input.tracking.splitPoints(
      this.input.listingRangeFiles ?? LISTING_RANGE_FILES,
      LISTING_RANGES_MAX,
    );
    try {
      return await this.listAndCheckOnce(splits);
    } catch (error) {
      if (!(error instanceof UnsortedListingError) || splits.length === 0) throw error;
    }
    return this.listAndCheckOnce([]);
  }

  private async listAndCheckOnce(splits: string[]): Promise<RemoteIndex | undefined> {
    const { folder } = this.input;
    const refusals: Array<{ object: RemoteObject; reason: string }> = [];
    let refused = 0;
    const refuse = (object: RemoteObject, reason: string) => {
      refused++;
      if (refusals.length < MAX_LISTED_REFUSALS) refusals.push({ object, reason });
    };
    const listing = new RemoteIndex();
    let totals: Awaited<ReturnType<RemoteIndex["fill"]>>;
    try {
      totals = await listing.fill(
        listRemote(this.input.store, this.input.bucket, folder, { signal: this.controller.signal, splits }),
        (object) => {
          const placement = placeKey(object);
          const reason = placement.kind === "refused" ? placement.reason : storageClassRefusal(object);
          if (reason) refuse(object, reason);
        },
      );
    } catch (error) {
      listing.close();
      throw error;
    }
    this.input.emit({ type: "totals", files: totals.files, bytes: totals.bytes });
    for (const conflict of listing.fileDirectoryConflicts(MAX_LISTED_REFUSALS)) {
      refuse(
        { relPath: conflict.file, size: 0n, etag: "" },
        `is a file, yet "${folder}${conflict.inside}" needs it to be a directory`,
      );
    }
    if (refused === 0) return listing;
    listing.close();
    for (const { object, reason } of refusals) {
      this.ctx.emit({
        type: "file-failed",
        path: object.relPath,
        size: object.size,
        message: `the key "${folder}${object.relPath}" ${reason}`,
      });
    }
    const first = refusals[0]!;
    const others =
      refused > 1 ? ` (and ${refused - 1} more key${refused === 2 ? "" : "s"}, see the job's file errors)` : "";
    this.failures.setFatal(
      `The folder cannot be copied: the key "${folder}${first.object.relPath}" ${first.reason}${others}. Nothing was downloaded.`,
    );
    return undefined;
  }

  private async guard(object: RemoteObject, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.handleError(error, object);
    }
  }

  private handleError(error: unknown, object: RemoteObject | undefined): void {
    if (this.controller.signal.aborted && !this.failures.fatal) return; // a stop, not a failure
    if (object && dispositionOf(error) !== "fatal") {
      this.ctx.emit({ type: "file-failed", path: object.relPath, size: object.size, message: perKeyMessage(error) });
      return;
    }
    this.failures.setFatal(fatalMessage(error, "written"));
    this.controller.abort(error);
  }

  /** Partial files of downloads that a stop or a failure cut short. */
  private async removePartials(): Promise<void> {
    const handles = this.ctx.tree.handles;
    await Promise.all(
      [...this.ctx.partials].map((temp) => handles.at(temp, (p) => fs.rm(p, { force: true })).catch(() => undefined)),
    );
    this.ctx.partials.clear();
  }
}

/** The message for an error that concerns one object only. */
function perKeyMessage(error: unknown): string {
  const local = localFailureMessage(error);
  if (local !== undefined) return local;
  const code = s3ErrorCode(error);
  if (code === "NoSuchKey" || httpStatusOf(error) === 404) return "the object vanished from the bucket during the job";
  if (code === "PreconditionFailed" || httpStatusOf(error) === 412)
    return "the object changed during the job (its ETag no longer matches the listing)";
  if (code === "InvalidObjectState")
    return "the object is archived and must be restored before it can be copied (InvalidObjectState)";
  return classifyS3Error(error).message;
}
