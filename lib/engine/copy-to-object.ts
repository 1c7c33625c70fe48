import { TreeHandle } from "@/lib/fs/beneath";
import { classifyS3Error } from "@/lib/s3/classify-error";
import { DispositionError } from "@/lib/s3/disposition";
import { decide, MAX_KEY_BYTES } from "./decide";
import { copyLink, transferFile, type Landed, type TransferContext, type TransferSettings } from "./file-transfer";
import { jobController, type EngineJobInput } from "./job-input";
import { dispositionOf, fatalMessage, JobFailures, localFailureMessage, type CopyResult } from "./job-failures";
import { mergeJoin } from "./merge";
import { HASH_CHUNK, SyncReads } from "./read-file";
import { RemoteIndex } from "./remote-index";
import { ReadAhead } from "./read-ahead";
import {
  LISTING_RANGE_FILES,
  LISTING_RANGES_MAX,
  listRemote,
  UnsortedListingError,
  type RemoteObject,
} from "./remote-listing";
import { PartBuffers } from "./part-buffers";
import { Semaphore } from "@/lib/concurrency/semaphore";
import { openTreeView } from "./snapshot";
import type { TrackedFile } from "./tracking-store";
import { type Completions, doneBefore, type DoneMark } from "./completions";
import { keyAfter, type KeyRange } from "./key-range";
import { compareUtf8 } from "./key-order";
import { walkTree, type LocalEntry } from "./walk";

/** Local entries read ahead while the bucket is listed: about 10 MB at most, and all of a 10,000-file tree. */
const READ_AHEAD_ENTRIES = 20_000;

export interface CopyToObjectInput extends EngineJobInput {
  jobId: string;
  /** Tracked files per parallel listing range (LISTING_RANGE_FILES unless a test lists small folders in ranges). */
  listingRangeFiles?: number;
  transfer: Omit<TransferSettings, "stableRead">;
  /** Only these keys (a work unit's); the whole directory when absent. */
  range?: KeyRange;
  /** Told what is dispatched and finished; with a mark to resume from, what an earlier attempt did is passed over. */
  completions?: Completions;
  resumeFrom?: DoneMark;
}

/** Runs one copy-to-S3 job over a point-in-time view of the directory. */
export async function copyToObject(input: CopyToObjectInput): Promise<CopyResult> {
  const live = TreeHandle.open(input.directory, {
    expectedIno: input.directoryIno,
    expectedBirthNs: input.directoryBirthNs,
    label: input.directoryLabel,
  });
  try {
    const view = await openTreeView(live, input.directory, input.bucket, input.jobId);
    try {
      input.emit({ type: "mode", mode: view.mode, detail: view.detail });
      const run = new JobRun(input, view.tree, view.mode === "stable-read");
      await run.execute();
      return { ...run.result(), readMode: view.mode };
    } finally {
      await view.release();
    }
  } finally {
    live.close();
  }
}

class JobRun {
  private readonly controller: AbortController;
  private readonly slots: Semaphore;
  private readonly ctx: TransferContext;
  private readonly tasks = new Set<Promise<void>>();
  private readonly linkGroups = new Map<string, { key: string; landed: Promise<Landed | null> }>();
  private readonly failures = new JobFailures({ one: "file", many: "files", verb: "copied" });
  private readonly walkLimits: { maxPathBytes: number; range?: KeyRange };
  private readonly doneEarlier: ReadonlySet<string>;

  constructor(
    private readonly input: CopyToObjectInput,
    private readonly tree: TreeHandle,
    stableRead: boolean,
  ) {
    this.controller = jobController(input.signal);
    this.slots = new Semaphore(input.concurrency);
    const through = input.resumeFrom?.through;
    // Keys an earlier attempt finished in order are not walked again.
    const walked =
      input.range && through !== undefined && compareUtf8(keyAfter(through), input.range.lower) > 0
        ? { ...input.range, lower: keyAfter(through) }
        : input.range;
    this.walkLimits = { maxPathBytes: MAX_KEY_BYTES - Buffer.byteLength(input.folder), range: walked };
    this.doneEarlier = new Set(input.resumeFrom?.beyond ?? []);
    this.ctx = {
      store: input.store,
      bucket: input.bucket,
      tree,
      tracking: input.tracking,
      emit: (event) => {
        if (event.type === "file-failed") this.failures.noteFile(event.path);
        if (TERMINAL.has(event.type)) input.completions?.finished((event as { path: string }).path);
        input.emit(event);
      },
      signal: this.controller.signal,
      // One chunk buffer for each part in flight (at most one per transfer slot) and one for a first read.
      buffers: new PartBuffers(Math.min(input.bufferBudgetBytes, (input.concurrency + 1) * HASH_CHUNK)),
      digestLane: new Semaphore(1),
      syncReads: new SyncReads(tree),
      settings: { ...input.transfer, stableRead },
    };
  }

  async execute(): Promise<void> {
    const scan = this.scanTotals();
    let listing: RemoteIndex | undefined;
    // The walk and the tracking rows are read while the bucket is listed. A tree that fits the
    // read-ahead is counted by that walk; a larger one by a walk of its own, which runs further ahead.
    const withTracking = new ReadAhead(
      mergeJoin(
        countedFiles(walkTree(this.tree, this.controller.signal, this.walkLimits), scan.finishWith),
        this.input.tracking.rows(this.walkLimits.range),
        (e) => e.relPath,
        (t) => t.path,
      ),
      READ_AHEAD_ENTRIES,
      scan.start,
    );
    try {
      listing = await this.listBucket();
      const remote = listing.sorted();
      for await (const [[entry, tracked], object] of mergeJoin(
        withTracking,
        remote,
        ([e]) => e.relPath,
        (r) => r.relPath,
      )) {
        if (this.controller.signal.aborted) break;
        if (doneBefore(this.input.resumeFrom, this.doneEarlier, entry.relPath)) continue;
        await this.input.completions?.room(this.controller.signal);
        if (this.controller.signal.aborted) break;
        this.input.completions?.dispatched(entry.relPath);
        await this.dispatch(entry, tracked, object);
      }
    } catch (error) {
      this.handleError(error, undefined);
    } finally {
      scan.stop();
      await withTracking.close();
      await Promise.all(this.tasks);
      this.input.tracking.flush();
      listing?.close();
    }
  }

  private async listBucket(): Promise<RemoteIndex> {
    try {
      const range = this.walkLimits.range;
      return await this.indexListing(
        this.input.tracking.splitPoints(this.input.listingRangeFiles ?? LISTING_RANGE_FILES, LISTING_RANGES_MAX, range),
        range,
      );
    } catch (error) {
      // A recovery of its own: the listing is made again, whole.
      if (!(error instanceof UnsortedListingError)) throw error;
    }
    // Ranges cut by key need a store that lists in key order; this one does not, so once more, whole.
    return this.indexListing([]);
  }

  private async indexListing(splits: string[], range?: KeyRange): Promise<RemoteIndex> {
    const index = new RemoteIndex();
    try {
      await index.fill(
        listRemote(this.input.store, this.input.bucket, this.input.folder, {
          signal: this.controller.signal,
          splits,
          range,
        }),
      );
      return index;
    } catch (error) {
      index.close();
      throw error;
    }
  }

  result(): Omit<CopyResult, "readMode"> {
    return this.failures.outcome(this.input.signal.aborted);
  }

  private async dispatch(entry: LocalEntry, tracked: TrackedFile | undefined, remote: RemoteObject | undefined) {
    const key = this.input.folder + entry.relPath;
    const stat = entry.stat;
    const linkId = entry.kind === "file" && stat && stat.nlink > 1n ? `${stat.dev}:${stat.ino}` : undefined;
    const group = linkId ? this.linkGroups.get(linkId) : undefined;
    const decision = decide({ entry, key, tracked, remote, linkSourceKey: group?.key });
    const emit = this.ctx.emit;

    switch (decision.action) {
      case "skip-unsupported":
        emit({ type: "file-skipped", path: entry.relPath, reason: decision.reason });
        return;
      case "error":
        emit({ type: "file-failed", path: entry.relPath, size: stat?.size ?? 0n, message: decision.reason });
        return;
      case "skip-unchanged":
        emit({ type: "file-unchanged", path: entry.relPath, size: stat!.size, how: "fingerprint" });
        if (linkId && !group)
          this.linkGroups.set(linkId, {
            key,
            landed: Promise.resolve({ sha256: tracked!.sha256, size: tracked!.size }),
          });
        return;
    }

    const release = await this.slots.acquire();
    let task: Promise<Landed | null>;
    if (decision.action === "copy-from-link") {
      task = this.guard(entry, async () => {
        const source = await group!.landed;
        if (!source) throw new LinkSourceFailed(group!.key);
        return copyLink(this.ctx, entry, key, decision.sourceKey, source);
      });
    } else {
      task = this.guard(entry, () => transferFile(this.ctx, { entry, key, decision, tracked }));
      if (linkId && !group) this.linkGroups.set(linkId, { key, landed: task });
    }
    const settled = task
      .then(() => undefined)
      .finally(() => {
        release();
        this.tasks.delete(settled);
      });
    this.tasks.add(settled);
  }

  /** Runs a file's work; its failure becomes a per-file error, or ends the job when it is fatal. */
  private async guard(entry: LocalEntry, work: () => Promise<Landed>): Promise<Landed | null> {
    try {
      return await work();
    } catch (error) {
      this.handleError(error, entry);
      return null;
    }
  }

  private handleError(error: unknown, entry: LocalEntry | undefined): void {
    if (this.controller.signal.aborted && !this.failures.fatal) return; // a stop, not a failure
    const code = (error as NodeJS.ErrnoException).code;
    if (entry && code === "ENOENT") {
      this.ctx.emit({ type: "file-skipped", path: entry.relPath, reason: "vanished" });
      return;
    }
    if (entry && dispositionOf(error) !== "fatal") {
      const message = localFailureMessage(error) ?? classifyS3Error(error).message;
      this.ctx.emit({ type: "file-failed", path: entry.relPath, size: entry.stat?.size ?? 0n, message });
      return;
    }
    this.failures.setFatal(fatalMessage(error, "read"));
    this.controller.abort(error);
  }

  /**
   * Counts files and bytes ahead of the transfers, so that percentage and ETA are honest early:
   * `finishWith` gives the totals once a walk has seen every entry; `start` walks the tree once
   * more, for the totals alone, when the job's own walk cannot run that far ahead.
   */
  private scanTotals() {
    const scanAbort = new AbortController();
    let done = false;
    const announce = (files: bigint, bytes: bigint) => {
      if (done) return;
      done = true;
      scanAbort.abort();
      this.input.emit({ type: "totals", files, bytes });
    };
    const start = () => {
      void (async () => {
        try {
          await drain(countedFiles(walkTree(this.tree, scanAbort.signal, this.walkLimits), announce));
        } catch {
          // The main walk reports what cannot be read; the scan only ever informs progress.
        }
      })();
    };
    return { finishWith: announce, start, stop: () => scanAbort.abort() };
  }
}

/** The events that end an entry's work, each naming its path. */
const TERMINAL: ReadonlySet<string> = new Set([
  "file-transferred",
  "file-copied-server-side",
  "file-unchanged",
  "file-skipped",
  "file-failed",
]);

class LinkSourceFailed extends DispositionError {
  constructor(sourceKey: string) {
    super("per-file", `its first hard link "${sourceKey}" could not be copied`);
  }
}

/** Passes the entries through, and gives the count and bytes of their files once all have passed. */
async function* countedFiles(
  entries: AsyncIterable<LocalEntry>,
  done: (files: bigint, bytes: bigint) => void,
): AsyncGenerator<LocalEntry> {
  let files = 0n;
  let bytes = 0n;
  for await (const entry of entries) {
    if (entry.kind === "file" && !entry.error) {
      files++;
      bytes += entry.stat!.size;
    }
    yield entry;
  }
  done(files, bytes);
}

async function drain(entries: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of entries);
}
