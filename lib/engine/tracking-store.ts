import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import type { Fingerprint } from "./fingerprint";
import { inRange, keyAfter, type KeyRange } from "./key-range";

/**
 * A multipart upload left unfinished by a stop, a crash or a fault, kept so the next job can resume
 * it. Its fingerprint is the file's as it was read for this upload: it resumes only if the file
 * still is exactly that.
 */
export interface PendingUpload extends Fingerprint {
  uploadId: string;
  sha256: Buffer;
  partSize: number;
  /** ETags of the parts the store has confirmed, by part number. */
  parts: Map<number, string>;
}

/** What was true of a file when its object was last confirmed in the bucket. */
export interface TrackedFile extends Fingerprint {
  path: string;
  /** A 64-bit digest of the object's ETag (see `etagTag`): enough to tell that the object changed. */
  etagTag: string;
  sha256: Buffer;
}

const PAGE = 2000;
const COLUMNS = "path, size, mtime_ns, ctime_delta_ns, ino, etag, sha256";
const FLUSH_ROWS = 500;

/**
 * Told, inside the transaction that writes them, which paths a flush wrote or removed (in key
 * order); answers the ranges (by lower bound) to mark as changed in the same transaction, so that
 * a crash cannot leave a change written here and unmarked.
 */
export type FlushObserver = (paths: readonly string[]) => readonly string[];

/**
 * Per-relationship tracking rows in their own SQLite file (about 100 bytes a file: integers as
 * varints, digests as blobs, no rowid). Reads page through the rows in key order by keyset;
 * writes are buffered and flushed in one transaction so a job's hot path never waits on a commit.
 */
export class TrackingStore {
  private readonly db: Database.Database;
  private readonly pending = new Map<string, TrackedFile | null>();
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly page: Database.Statement;
  private readonly getOne: Database.Statement;
  private observer: FlushObserver | undefined;
  private uploadObserver: ((path: string) => void) | undefined;
  private readonly markChanged: Database.Statement;
  private readonly uploadStatements: Record<
    "get" | "parts" | "begin" | "part" | "dropParts" | "drop" | "pathOf",
    Database.Statement
  >;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: 15_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    // ctime is kept as its distance from mtime: usually a few bytes instead of eight.
    this.db.exec(`CREATE TABLE IF NOT EXISTS files (
      path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_delta_ns INTEGER NOT NULL,
      ino INTEGER NOT NULL, etag BLOB NOT NULL, sha256 BLOB NOT NULL) WITHOUT ROWID`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS uploads (
      path TEXT PRIMARY KEY, upload_id TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
      ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL, sha256 BLOB NOT NULL, part_size INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS upload_parts (
      upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL, PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID`);
    // The ranges of keys this file mirrors from a shared database (see lib/jobs/shared-tracking.ts),
    // each with the digest of the pack it last matched; "" once something in it changed here.
    this.db.exec("CREATE TABLE IF NOT EXISTS packs (lower_bound TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID");
    // A range with no pack yet (a work unit's first files) is marked too: its files are not trusted
    // until a pack holds them.
    this.markChanged = this.db.prepare(
      "INSERT INTO packs (lower_bound, digest) VALUES (?, '') ON CONFLICT (lower_bound) DO UPDATE SET digest = ''",
    );
    this.upsert = this.db.prepare(
      "INSERT OR REPLACE INTO files (path, size, mtime_ns, ctime_delta_ns, ino, etag, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.remove = this.db.prepare("DELETE FROM files WHERE path = ?");
    // SQLite's BINARY collation compares UTF-8 bytes: the order S3 lists keys in.
    // Rows as arrays, not objects: a repeat reads a row per file.
    this.page = this.db
      .prepare(`SELECT ${COLUMNS} FROM files WHERE path > ? ORDER BY path LIMIT ?`)
      .raw(true)
      .safeIntegers(true);
    this.getOne = this.db.prepare(`SELECT ${COLUMNS} FROM files WHERE path = ?`).raw(true).safeIntegers(true);
    this.uploadStatements = {
      get: this.db.prepare("SELECT * FROM uploads WHERE path = ?").safeIntegers(true),
      parts: this.db.prepare("SELECT part_number, etag FROM upload_parts WHERE upload_id = ?"),
      begin: this.db.prepare("INSERT OR REPLACE INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      part: this.db.prepare("INSERT OR REPLACE INTO upload_parts VALUES (?, ?, ?)"),
      dropParts: this.db.prepare(
        "DELETE FROM upload_parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE path = ?)",
      ),
      drop: this.db.prepare("DELETE FROM uploads WHERE path = ?"),
      pathOf: this.db.prepare("SELECT path FROM uploads WHERE upload_id = ?").pluck(true),
    };
  }

  /** All rows in key order (those of `range` only, when given), a page at a time. */
  async *rows(range?: KeyRange): AsyncGenerator<TrackedFile> {
    if (range) {
      let from = range.lower;
      for (;;) {
        const rows = this.rowsBetween(from, range.upper, PAGE);
        yield* rows;
        if (rows.length < PAGE) return;
        from = keyAfter(rows[rows.length - 1]!.path);
        await Promise.resolve();
      }
    }
    let after = "";
    for (;;) {
      this.flush();
      const rows = this.page.all(after, PAGE) as RowTuple[];
      for (const row of rows) yield fromTuple(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]![0];
      await Promise.resolve();
    }
  }

  get(filePath: string): TrackedFile | undefined {
    this.flush();
    const row = this.getOne.get(filePath) as RowTuple | undefined;
    return row ? fromTuple(row) : undefined;
  }

  put(file: TrackedFile): void {
    this.pending.set(file.path, file);
    if (this.pending.size >= FLUSH_ROWS) this.flush();
  }

  /** Forgets a path whose object can no longer be trusted to match it. */
  forget(filePath: string): void {
    this.pending.set(filePath, null);
    if (this.pending.size >= FLUSH_ROWS) this.flush();
  }

  flush(): void {
    if (this.pending.size === 0) return;
    // Written in key order, rows append to the B-tree's last page and pages stay full.
    const batch = [...this.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.pending.clear();
    this.db.transaction(() => {
      if (this.observer) for (const bound of this.observer(batch.map(([key]) => key))) this.markChanged.run(bound);
      for (const [key, file] of batch) {
        if (file === null) this.remove.run(key);
        else this.writeRow(file);
      }
    })();
  }

  private writeRow(file: TrackedFile): void {
    this.upsert.run(
      file.path,
      file.size,
      file.mtimeNs,
      file.ctimeNs - file.mtimeNs,
      file.ino,
      Buffer.from(file.etagTag, "hex"),
      file.sha256,
    );
  }

  observeFlushes(observer: FlushObserver | undefined): void {
    this.observer = observer;
  }

  /** Up to `limit` files from `lower` (included) up to `upper` (excluded; none: to the end), in key order. */
  rowsBetween(lower: string, upper: string | undefined, limit: number): TrackedFile[] {
    this.flush();
    const select = `SELECT ${COLUMNS} FROM files WHERE path >= ?${upper === undefined ? "" : " AND path < ?"} ORDER BY path LIMIT ?`;
    const statement = this.db.prepare(select).raw(true).safeIntegers(true);
    const rows = (upper === undefined ? statement.all(lower, limit) : statement.all(lower, upper, limit)) as RowTuple[];
    return rows.map(fromTuple);
  }

  countBetween(lower: string, upper: string | undefined): number {
    this.flush();
    const select = `SELECT count(*) FROM files WHERE path >= ?${upper === undefined ? "" : " AND path < ?"}`;
    const statement = this.db.prepare(select).pluck(true);
    return Number(upper === undefined ? statement.get(lower) : statement.get(lower, upper));
  }

  /** The mirrored ranges (those starting in `range`, when given): lower bound → digest of the pack last matched ("" when changed since). */
  packDigests(range?: KeyRange): Map<string, string> {
    const rows = this.db.prepare("SELECT lower_bound, digest FROM packs").raw(true).all() as [string, string][];
    return new Map(range ? rows.filter(([bound]) => inRange(bound, range)) : rows);
  }

  /** Records ranges as matching their packs (a digest), changed (""), or gone (null). */
  setPackDigests(changes: Iterable<[bound: string, digest: string | null]>): void {
    const put = this.db.prepare("INSERT OR REPLACE INTO packs (lower_bound, digest) VALUES (?, ?)");
    const drop = this.db.prepare("DELETE FROM packs WHERE lower_bound = ?");
    this.db.transaction(() => {
      for (const [bound, digest] of changes) {
        if (digest === null) drop.run(bound);
        else put.run(bound, digest);
      }
    })();
  }

  /** Forgets every file and range: the start of a fresh copy of the shared state. */
  clearAll(): void {
    this.pending.clear();
    this.db.exec("BEGIN; DELETE FROM files; DELETE FROM packs; COMMIT");
  }

  /** Forgets the files and ranges of one range of keys: the start of a fresh copy of its part of the shared state. */
  clearRange(range: KeyRange): void {
    this.flush();
    const upper = range.upper === undefined ? "" : " AND path < ?";
    const upperBound = range.upper === undefined ? "" : " AND lower_bound < ?";
    const args = range.upper === undefined ? [range.lower] : [range.lower, range.upper];
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM files WHERE path >= ?${upper}`).run(...args);
      this.db.prepare(`DELETE FROM packs WHERE lower_bound >= ?${upperBound}`).run(...args);
    })();
  }

  /** Adds files (a range's, in key order) in one transaction. */
  insertFiles(files: readonly TrackedFile[]): void {
    this.db.transaction(() => {
      for (const file of files) this.writeRow(file);
    })();
  }

  /** Unlike file rows, upload records are written at once: a crash must not lose a part already paid for. */
  pendingUpload(filePath: string): PendingUpload | undefined {
    const row = this.uploadStatements.get.get(filePath) as
      | {
          upload_id: string;
          size: bigint;
          mtime_ns: bigint;
          ctime_ns: bigint;
          ino: bigint;
          sha256: Buffer;
          part_size: bigint;
        }
      | undefined;
    if (!row) return undefined;
    const parts = this.uploadStatements.parts.all(row.upload_id) as Array<{ part_number: number; etag: string }>;
    return {
      uploadId: row.upload_id,
      size: row.size,
      mtimeNs: row.mtime_ns,
      ctimeNs: row.ctime_ns,
      ino: row.ino,
      sha256: row.sha256,
      partSize: Number(row.part_size),
      parts: new Map(parts.map((p) => [p.part_number, p.etag])),
    };
  }

  /** Told the path of every upload record begun, extended with a part, or ended. */
  observeUploads(observer: ((path: string) => void) | undefined): void {
    this.uploadObserver = observer;
  }

  /** The paths of every upload record. */
  uploadPaths(): string[] {
    return this.db.prepare("SELECT path FROM uploads").pluck(true).all() as string[];
  }

  /**
   * Replaces every upload record with these (those of `range` only, when given), in one
   * transaction: a copy of the shared ones.
   */
  replaceUploads(uploads: Iterable<[path: string, upload: PendingUpload]>, range?: KeyRange): void {
    this.db.transaction(() => {
      if (range) {
        for (const filePath of this.uploadPaths())
          if (inRange(filePath, range)) {
            this.uploadStatements.dropParts.run(filePath);
            this.uploadStatements.drop.run(filePath);
          }
      } else this.db.exec("DELETE FROM upload_parts; DELETE FROM uploads");
      for (const [filePath, upload] of uploads) {
        this.writeUpload(filePath, upload);
        for (const [partNumber, etag] of upload.parts)
          this.uploadStatements.part.run(upload.uploadId, partNumber, etag);
      }
    })();
  }

  beginUpload(filePath: string, upload: Omit<PendingUpload, "parts">): void {
    this.writeUpload(filePath, upload);
    this.uploadObserver?.(filePath);
  }

  private writeUpload(filePath: string, upload: Omit<PendingUpload, "parts">): void {
    this.uploadStatements.begin.run(
      filePath,
      upload.uploadId,
      upload.size,
      upload.mtimeNs,
      upload.ctimeNs,
      upload.ino,
      upload.sha256,
      upload.partSize,
    );
  }

  partDone(uploadId: string, partNumber: number, etag: string): void {
    this.uploadStatements.part.run(uploadId, partNumber, etag);
    if (this.uploadObserver) {
      const filePath = this.uploadStatements.pathOf.get(uploadId) as string | undefined;
      if (filePath !== undefined) this.uploadObserver(filePath);
    }
  }

  endUpload(filePath: string): void {
    this.db.transaction(() => {
      this.uploadStatements.dropParts.run(filePath);
      this.uploadStatements.drop.run(filePath);
    })();
    this.uploadObserver?.(filePath);
  }

  count(): number {
    this.flush();
    return Number((this.db.prepare("SELECT count(*) AS n FROM files").get() as { n: number }).n);
  }

  /**
   * Tracked paths, in key order, that cut the tracked files into runs of about equal length, each
   * of at least `perRun` files and at most `maxRuns` runs (none when the files make one run).
   */
  splitPoints(perRun: number, maxRuns: number, range: KeyRange = { lower: "" }): string[] {
    const total = this.countBetween(range.lower, range.upper);
    const parts = Math.min(maxRuns, Math.floor(total / perRun));
    if (parts < 2) return [];
    const upper = range.upper === undefined ? "" : " AND path < ?";
    const at = this.db.prepare(`SELECT path FROM files WHERE path >= ?${upper} ORDER BY path LIMIT 1 OFFSET ?`);
    const bounds = range.upper === undefined ? [range.lower] : [range.lower, range.upper];
    return Array.from(
      { length: parts - 1 },
      (_, i) => (at.get(...bounds, Math.floor((total * (i + 1)) / parts)) as { path: string }).path,
    );
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}

type RowTuple = [
  path: string,
  size: bigint,
  mtimeNs: bigint,
  ctimeDeltaNs: bigint,
  ino: bigint,
  etag: Buffer,
  sha256: Buffer,
];

function fromTuple([path, size, mtimeNs, ctimeDeltaNs, ino, etag, sha256]: RowTuple): TrackedFile {
  return { path, size, mtimeNs, ctimeNs: mtimeNs + ctimeDeltaNs, ino, etagTag: etag.toString("hex"), sha256 };
}

/**
 * Tracking keeps 8 bytes of SHA-256 over the ETag instead of the ETag itself (17 to 40+ bytes):
 * the row only ever asks "is it still the object we wrote?", and a 64-bit digest answers that
 * while keeping a row near 100 bytes.
 */
export function etagTag(etag: string): string {
  // One-shot hashing: a repeat computes a tag per listed object, and a Hash object costs 5 times as much.
  return crypto.hash("sha256", etag, "hex").slice(0, 16);
}
