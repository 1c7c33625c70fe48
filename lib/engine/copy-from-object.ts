import crypto from "node:crypto";
import fs from "node:fs/promises";
import { TreeHandle } from "@/lib/fs/beneath";
import { classifyS3Error, httpStatusOf, s3ErrorCode } from "@/lib/s3/classify-error";
import { SMALL_OBJECT_BYTES } from "@/lib/s3/get-object";
import { placeObject, type DownloadContext, type DownloadSettings } from "./download-file";
import { jobController, type EngineJobInput } from "./job-input";
import { type Completions, doneBefore, type DoneMark } from "./completions";
import { listAndCheckFolder, refusalErrors, refusedFolderMessage } from "./folder-check";
import { dispositionOf, fatalMessage, JobFailures, localFailureMessage, type CopyResult } from "./job-failures";
import { placeKey } from "./key-path";
import { keyAfter, type KeyRange } from "./key-range";
import { PartialsJournal, type PartialsLedger } from "./partials-journal";
import { LocalTree } from "./local-tree";
import { mergeJoin } from "./merge";
import type { RemoteIndex } from "./remote-index";
import { LISTING_RANGE_FILES, LISTING_RANGES_MAX, UnsortedListingError, type RemoteObject } from "./remote-listing";
import { Semaphore } from "@/lib/concurrency/semaphore";
import { compareUtf8 } from "./key-order";

export interface CopyFromObjectInput extends EngineJobInput {
  download: DownloadSettings;
  /** Where the job notes the directories that hold its temporary files (outside the directory). */
  partials: PartialsLedger;
  /** Tracked files per parallel listing range (LISTING_RANGE_FILES unless a test lists small folders in ranges). */
  listingRangeFiles?: number;
  /**
   * A work unit's keys. Its job checked the whole folder before any unit ran (a clash between
   * two units' keys is seen only there) and sweeps the journal the units share.
   */
  range?: KeyRange;
  /** Told of every object dispatched and finished, for the unit's mark. */
  completions?: Completions;
  /** What earlier attempts of the unit dealt with: passed over. */
  resumeFrom?: DoneMark;
}

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
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly failures = new JobFailures({ one: "object", many: "objects", verb: "copied" });
  private readonly range: KeyRange | undefined;
  private readonly doneEarlier: ReadonlySet<string>;

  constructor(
    private readonly input: CopyFromObjectInput,
    handles: TreeHandle,
  ) {
    this.controller = jobController(input.signal);
    this.slots = new Semaphore(input.concurrency);
    this.smallSlots = new Semaphore(input.download.smallObjectsInFlight);
    const through = input.resumeFrom?.through;
    // Keys an earlier attempt finished in order are not listed again.
    this.range =
      input.range && through !== undefined && compareUtf8(keyAfter(through), input.range.lower) > 0
        ? { ...input.range, lower: keyAfter(through) }
        : input.range;
    this.doneEarlier = new Set(input.resumeFrom?.beyond ?? []);
    this.ctx = {
      store: input.store,
      bucket: input.bucket,
      folder: input.folder,
      tree: new LocalTree(handles),
      tracking: input.tracking,
      emit: (event) => {
        if (event.type === "file-failed") this.failures.noteFile(input.folder + event.path);
        if (TERMINAL.has(event.type)) input.completions?.finished((event as { path: string }).path);
        input.emit(event);
      },
      signal: this.controller.signal,
      bufferBudget: new Semaphore(input.bufferBudgetBytes),
      settings: input.download,
      partials: new Set(),
      // Random per job (or unit attempt), so that temporary names never meet another's, nor a key's.
      journal: new PartialsJournal(
        input.partials,
        handles,
        input.range !== undefined,
        crypto.randomBytes(6).toString("hex"),
        this.controller.signal,
      ),
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
        this.input.tracking.rows(this.range),
        (o) => o.relPath,
        (t) => t.path,
      );
      for await (const [object, tracked] of pairs) {
        if (this.controller.signal.aborted) break;
        const placement = placeKey(object);
        if (placement.kind !== "file" && placement.kind !== "directory") continue;
        // A directory marker ("d/") is dealt with once like a file: an attempt after a lost one
        // passes over it, so a failure to make it is counted once.
        if (doneBefore(this.input.resumeFrom, this.doneEarlier, object.relPath)) continue;
        await this.input.completions?.room(this.controller.signal);
        if (this.controller.signal.aborted) break;
        this.input.completions?.dispatched(object.relPath);
        if (placement.kind === "directory") {
          // A failure is counted (and marked) by its event; one a stop cut short is left for the next attempt.
          if (await this.guard(object, () => this.ctx.tree.ensureDirectory(placement.relPath)))
            this.input.completions?.finished(object.relPath);
          continue;
        }
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
      await this.ctx.journal.close();
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
      this.range,
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
    const checked = await listAndCheckFolder(this.input.store, this.input.bucket, folder, {
      signal: this.controller.signal,
      splits,
      range: this.range,
    });
    this.input.emit({ type: "totals", files: checked.totals.files, bytes: checked.totals.bytes });
    if (checked.refused === 0) return checked.listing;
    checked.listing.close();
    for (const event of refusalErrors(folder, checked.refusals)) this.ctx.emit(event);
    this.failures.setFatal(refusedFolderMessage(folder, checked));
    return undefined;
  }

  /** Runs one object's work; true when it succeeded. */
  private async guard(object: RemoteObject, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.handleError(error, object);
      return false;
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

/** The events that end an object's work, each naming its path. */
const TERMINAL: ReadonlySet<string> = new Set(["file-transferred", "file-unchanged", "file-failed"]);

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
