import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import { compareUtf8 } from "@/lib/engine/key-order";
import { inRange, keyAfter, type KeyRange } from "@/lib/engine/key-range";
import { decodePack, encodePack, packDigest } from "@/lib/engine/tracking-pack";
import type { PendingUpload, TrackedFile, TrackingStore } from "@/lib/engine/tracking-store";
import { decodeUpload, encodeUpload } from "./shared-uploads";

/** Files a pack is cut to once it holds more than twice as many. */
export const PACK_FILES = 512;
/** Packs fetched per query when a worker's copy is refreshed. */
const FETCH_PACKS = 64;

type Transaction = Prisma.TransactionClient;

/**
 * A relationship's tracking state where the database is PostgreSQL, shared by the workers of
 * every host: the truth is in `TrackingPack` rows, each holding the files of one range of keys,
 * and each worker works on a local copy (the relationship's usual tracking file), which the
 * engine reads and writes as on one host.
 *
 * Ranges changed here are written back as whole packs inside the transaction that renews the
 * job's lease and records its progress (`writeIn`), so a worker that lost the job writes none, and
 * every file the counters say was copied is in the tracking that commits with them (which may
 * hold a few more, recorded while the write was on its way). The local copy marks a range
 * changed in the same local transaction that changes it; a range marked or holding another digest
 * than the shared one is not trusted, and the copy is fetched again.
 */
export class SharedTracking {
  /** Lower bounds of the ranges, in key order; the first is always "". */
  private bounds: string[];
  /** Ranges changed since the last write began. */
  private changed = new Set<string>();
  /** Paths whose multipart upload record was begun, extended or ended since the last write began. */
  private changedUploads = new Set<string>();
  /**
   * A write failed: it may have committed all the same (a reply lost), leaving packs whose bounds
   * this copy does not know. The next write learns them first.
   */
  private uncertain = false;

  private constructor(
    private readonly relationshipId: string,
    private readonly store: TrackingStore,
    bounds: string[],
    /** The keys this copy answers for (a work unit's); its first bound is always the range's lower one. */
    private readonly range: KeyRange = { lower: "" },
  ) {
    this.bounds = [...new Set([range.lower, ...bounds])].sort(compareUtf8);
    store.observeFlushes((paths) => this.noteChanges(paths));
    store.observeUploads((path) => this.changedUploads.add(path));
  }

  /**
   * Brings the local copy in line with the shared state (its part in `range`, for a work unit,
   * which must start at a pack's bound), fetching it only when they differ.
   */
  static async open(relationshipId: string, store: TrackingStore, range?: KeyRange): Promise<SharedTracking> {
    if (!(await db().trackingPack.findFirst({ where: { relationshipId }, select: { lowerBound: true } })))
      await SharedTracking.share(relationshipId, store);
    const shared = (await digestsOf(relationshipId, range)).filter((p) => inRange(p.lowerBound, range));
    const local = store.packDigests(range);
    const same = shared.length === local.size && shared.every((p) => local.get(p.lowerBound) === p.digest);
    if (!same) {
      // Fetched whole: a copy that differs anywhere may differ in ways no digest shows (a range
      // changed here by a job that then lost its lease). The digests are written last, so a copy
      // cut short is fetched again.
      if (range) store.clearRange(range);
      else store.clearAll();
      for await (const files of fetchPacks(
        relationshipId,
        shared.map((p) => p.lowerBound),
      ))
        store.insertFiles(files);
      store.setPackDigests(shared.map((p) => [p.lowerBound, p.digest]));
    }
    store.replaceUploads(await mergedUploads(relationshipId, store, range), range);
    return new SharedTracking(
      relationshipId,
      store,
      shared.map((p) => p.lowerBound),
      range,
    );
  }

  /**
   * Nothing is shared yet: what this host's copy holds becomes the shared state, whole, in a
   * transaction of its own. It is apart from the job's lease, so that sharing a large file (a
   * tracking file from before the database was shared) holds no job's row and does not wait on
   * the lease's renewals. Every row of the file was confirmed in the bucket, whichever job wrote
   * it. Workers sharing at once take turns on the relationship's row; the second finds the
   * first's packs and shares nothing. Returns how many files were shared.
   */
  static async share(relationshipId: string, store: TrackingStore, within?: Transaction): Promise<number> {
    const tracking = new SharedTracking(relationshipId, store, [""]);
    tracking.changed.add("");
    for (const path of store.uploadPaths()) tracking.changedUploads.add(path);
    let write: Awaited<ReturnType<SharedTracking["writeIn"]>> | undefined;
    const files = store.count();
    const run = async (tx: Transaction) => {
      await tx.$queryRaw`SELECT id FROM "Relationship" WHERE id = ${relationshipId} FOR UPDATE`;
      if ((await tx.trackingPack.count({ where: { relationshipId } })) > 0) return;
      write = await tracking.writeIn(tx);
    };
    try {
      if (within) await run(within);
      else await db().$transaction(run, { timeout: 30 * 60_000 });
    } finally {
      store.observeFlushes(undefined);
      store.observeUploads(undefined);
    }
    write?.committed();
    return write ? files : 0;
  }

  hasChanges(): boolean {
    this.store.flush();
    return this.changed.size > 0 || this.changedUploads.size > 0;
  }

  /**
   * Writes the ranges changed here within `tx` (which must also hold the lease's check). Returns
   * what to do once `tx` has committed; should it fail, call `rolledBack` instead.
   */
  async writeIn(tx: Transaction): Promise<{ committed(): void; rolledBack(): void }> {
    this.store.flush();
    if (this.uncertain) await this.learnBounds(tx);
    const taken = [...this.changed].sort(compareUtf8);
    this.changed = new Set();
    const takenUploads = [...this.changedUploads];
    this.changedUploads = new Set();
    const written: { from: string; packs: { bound: string; digest: string }[] }[] = [];
    const removed: string[] = [];
    const rolledBack = () => {
      for (const bound of taken) this.changed.add(bound);
      for (const path of takenUploads) this.changedUploads.add(path);
      this.uncertain = true;
    };
    try {
      for (const bound of taken) {
        const upper = this.upperOf(bound);
        const count = this.store.countBetween(bound, upper);
        // A range's first bound stays, empty or not: another copy's ranges begin where it ends.
        if (count === 0 && bound !== this.range.lower) {
          removed.push(bound);
          continue;
        }
        // Read a pack at a time, not the range at once: a range can be a whole tree's first upload.
        const size = count <= 2 * PACK_FILES ? Math.max(count, 1) : PACK_FILES;
        const packs: { bound: string; digest: string }[] = [];
        let from = bound;
        for (;;) {
          const files = this.store.rowsBetween(from, upper, size);
          if (files.length === 0 && packs.length > 0) break;
          const body = encodePack(files);
          const lowerBound = packs.length === 0 ? bound : files[0]!.path;
          const pack = { digest: packDigest(body), files: files.length, body: new Uint8Array(body) };
          await tx.trackingPack.upsert({
            where: { relationshipId_lowerBound: { relationshipId: this.relationshipId, lowerBound } },
            create: { relationshipId: this.relationshipId, lowerBound, ...pack },
            update: pack,
          });
          packs.push({ bound: lowerBound, digest: pack.digest });
          if (files.length < size) break;
          from = keyAfter(files[files.length - 1]!.path);
        }
        written.push({ from: bound, packs });
      }
      if (removed.length > 0)
        await tx.trackingPack.deleteMany({
          where: { relationshipId: this.relationshipId, lowerBound: { in: removed } },
        });
      await this.writeUploads(tx, takenUploads);
    } catch (error) {
      rolledBack();
      throw error;
    }
    return {
      committed: () => {
        this.uncertain = false;
        this.applyCommitted(written, removed);
      },
      rolledBack,
    };
  }

  /** Each upload record as this copy holds it now: written whole, or removed where it ended. */
  private async writeUploads(tx: Transaction, paths: string[]): Promise<void> {
    const ended: string[] = [];
    for (const path of paths) {
      const upload = this.store.pendingUpload(path);
      if (!upload) {
        ended.push(path);
        continue;
      }
      const record = encodeUpload(upload);
      await tx.trackingUpload.upsert({
        where: { relationshipId_path: { relationshipId: this.relationshipId, path } },
        create: { relationshipId: this.relationshipId, path, record },
        update: { record },
      });
    }
    if (ended.length > 0)
      await tx.trackingUpload.deleteMany({ where: { relationshipId: this.relationshipId, path: { in: ended } } });
  }

  /**
   * Packs the database holds whose bounds this copy does not know become ranges of their own,
   * changed, as is the range each was found in: the next write rewrites them all from this copy.
   */
  private async learnBounds(tx: Transaction): Promise<void> {
    const known = new Set(this.bounds);
    const rows = await tx.trackingPack.findMany({
      where: { relationshipId: this.relationshipId },
      select: { lowerBound: true },
    });
    const unknown = rows.map((r) => r.lowerBound).filter((bound) => !known.has(bound) && inRange(bound, this.range));
    for (const bound of unknown) this.changed.add(this.boundOf(bound));
    if (unknown.length === 0) return;
    this.bounds = [...this.bounds, ...unknown].sort(compareUtf8);
    for (const bound of unknown) this.changed.add(bound);
  }

  /**
   * The local copy learns the digests it now matches, and the ranges' new bounds. A range changed
   * again while the write was on its way stays marked, as do the ranges cut from it; a removed
   * range's keys written meanwhile belong to the range before it from now on, which is marked.
   */
  private applyCommitted(written: { from: string; packs: { bound: string; digest: string }[] }[], removed: string[]) {
    const digests: [string, string | null][] = [];
    const gone = new Set(removed);
    for (const { from, packs } of written) {
      const again = this.changed.has(from);
      for (const { bound, digest } of packs) {
        digests.push([bound, again ? "" : digest]);
        if (again) this.changed.add(bound);
      }
    }
    const before: string[] = [];
    for (const bound of removed) {
      digests.push([bound, null]);
      if (this.changed.delete(bound)) before.push(bound);
    }
    const bounds = new Set(this.bounds.filter((b) => !gone.has(b)));
    for (const { packs } of written) for (const { bound } of packs) bounds.add(bound);
    this.bounds = [...bounds].sort(compareUtf8);
    for (const bound of before) {
      const previous = this.boundOf(bound);
      this.changed.add(previous);
      digests.push([previous, ""]);
    }
    this.store.setPackDigests(digests);
  }

  /**
   * Every range a flush touched is marked in the local copy, even one already marked: another
   * process may have fetched the copy since (a worker of this host frozen past its lease).
   */
  private noteChanges(paths: readonly string[]): string[] {
    const touched = new Set<string>();
    for (const path of paths) touched.add(this.boundOf(path));
    for (const bound of touched) this.changed.add(bound);
    return [...touched];
  }

  /** The lower bound of the range holding `path`: the last bound not after it. */
  private boundOf(path: string): string {
    let low = 0;
    let high = this.bounds.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (compareUtf8(this.bounds[mid]!, path) <= 0) low = mid;
      else high = mid - 1;
    }
    return this.bounds[low]!;
  }

  private upperOf(bound: string): string | undefined {
    const at = this.bounds.indexOf(bound);
    return (at >= 0 ? this.bounds[at + 1] : undefined) ?? this.range.upper;
  }
}

/** The files of the given packs, a pack at a time, fetched a batch of packs per query. */
/**
 * The upload records to resume from: the shared ones, and what this copy knows beyond them. Every
 * record says what the store confirmed, so this copy's own parts of the same upload are kept
 * (a worker of this host killed before sharing them), unless the two disagree on a part; and an
 * upload only this copy knows (begun by a job lost before sharing it) is kept to be resumed,
 * unless another upload of the path is shared. An upload that has ended since is refused by the
 * store when resumed, and begun again.
 */
async function mergedUploads(
  relationshipId: string,
  store: TrackingStore,
  range?: KeyRange,
): Promise<[string, PendingUpload][]> {
  const merged = new Map<string, PendingUpload>();
  for (const { path, record } of await db().trackingUpload.findMany({
    where: { relationshipId },
    select: { path: true, record: true },
  })) {
    const upload = decodeUpload(record);
    if (upload && inRange(path, range)) merged.set(path, upload);
  }
  for (const path of store.uploadPaths()) {
    if (!inRange(path, range)) continue;
    const own = store.pendingUpload(path);
    if (!own) continue;
    const shared = merged.get(path);
    if (!shared) merged.set(path, own);
    else if (shared.uploadId === own.uploadId)
      for (const [part, etag] of own.parts) {
        const known = shared.parts.get(part);
        if (known === undefined) shared.parts.set(part, etag);
        else if (known !== etag) shared.parts.delete(part);
      }
  }
  return [...merged];
}

/**
 * The packs' digests, of `range` only for a work unit: a job of thousands of units over a tree of
 * a hundred thousand packs must not read them all at the start of each.
 */
async function digestsOf(relationshipId: string, range?: KeyRange): Promise<{ lowerBound: string; digest: string }[]> {
  if (!range)
    return db().trackingPack.findMany({ where: { relationshipId }, select: { lowerBound: true, digest: true } });
  // In byte order, as the keys are cut (compareUtf8), whatever the database's own collation.
  const upper = range.upper === undefined ? Prisma.empty : Prisma.sql`AND "lowerBound" COLLATE "C" < ${range.upper}`;
  return db().$queryRaw`SELECT "lowerBound", "digest" FROM "TrackingPack"
    WHERE "relationshipId" = ${relationshipId} AND "lowerBound" COLLATE "C" >= ${range.lower} ${upper}`;
}

async function* fetchPacks(relationshipId: string, bounds: string[]): AsyncGenerator<TrackedFile[]> {
  const ordered = [...bounds].sort(compareUtf8);
  for (let i = 0; i < ordered.length; i += FETCH_PACKS) {
    const batch = ordered.slice(i, i + FETCH_PACKS);
    const rows = await db().trackingPack.findMany({
      where: { relationshipId, lowerBound: { in: batch } },
      select: { lowerBound: true, body: true },
    });
    for (const row of rows) yield decodePack(Buffer.from(row.body));
  }
}
