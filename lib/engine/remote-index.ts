import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { RemoteObject } from "./remote-listing";

const PAGE = 2000;

export interface ListingTotals {
  objects: number;
  /** Objects that hold data: every key except zero-byte folder markers ("…/"). */
  files: bigint;
  bytes: bigint;
}

interface Row {
  path: string;
  size: bigint;
  etag: string;
  storage_class: string | null;
  last_modified_ms: bigint | null;
}

/**
 * The folder's listing, spilled to a temporary SQLite file and read back in UTF-8 byte order.
 * S3 promises sorted listings, but some S3-compatible stores list in directory order; sorting
 * here keeps the merge join correct on any store, with memory bounded on any folder size.
 */
export class RemoteIndex {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-listing-"));
  private readonly db = new Database(path.join(this.dir, "listing.db"));
  private readonly insert: Database.Statement;
  private readonly page: Database.Statement;

  constructor() {
    this.db.pragma("journal_mode = OFF");
    this.db.pragma("synchronous = OFF");
    this.db.exec(`CREATE TABLE listing (path TEXT PRIMARY KEY, size INTEGER NOT NULL, etag TEXT NOT NULL,
      storage_class TEXT, last_modified_ms INTEGER) WITHOUT ROWID`);
    this.insert = this.db.prepare("INSERT OR REPLACE INTO listing VALUES (?, ?, ?, ?, ?)");
    this.page = this.db.prepare("SELECT * FROM listing WHERE path > ? ORDER BY path LIMIT ?").safeIntegers(true);
  }

  /** Stores the listing; `inspect` sees each object once, as it arrives (e.g. to refuse keys early). */
  async fill(objects: AsyncIterable<RemoteObject>, inspect?: (object: RemoteObject) => void): Promise<ListingTotals> {
    const totals: ListingTotals = { objects: 0, files: 0n, bytes: 0n };
    let batch: RemoteObject[] = [];
    const write = this.db.transaction((rows: RemoteObject[]) => {
      for (const o of rows)
        this.insert.run(o.relPath, o.size, o.etag, o.storageClass ?? null, o.lastModified?.getTime() ?? null);
    });
    for await (const object of objects) {
      inspect?.(object);
      batch.push(object);
      totals.objects++;
      if (!(object.size === 0n && object.relPath.endsWith("/"))) {
        totals.files++;
        totals.bytes += object.size;
      }
      if (batch.length >= 1000) {
        write(batch);
        batch = [];
      }
    }
    write(batch);
    return totals;
  }

  async *sorted(): AsyncGenerator<RemoteObject> {
    let after = "";
    for (;;) {
      const rows = this.page.all(after, PAGE) as Row[];
      for (const row of rows) yield fromRow(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.path;
      await Promise.resolve();
    }
  }

  /**
   * Keys that would have to be a file and a directory at once: an object "a/b" while some other
   * key starts with "a/b/". Every key under "a/b/" sorts between "a/b/" and "a/b0" ("0" follows
   * "/" in byte order), so one index probe per key finds them.
   */
  fileDirectoryConflicts(limit: number): Array<{ file: string; inside: string }> {
    return this.db
      .prepare(
        `SELECT f.path AS file, (SELECT k.path FROM listing k WHERE k.path >= f.path || '/' AND k.path < f.path || '0'
           ORDER BY k.path LIMIT 1) AS inside
         FROM listing f WHERE f.path <> '' AND substr(f.path, -1) <> '/' AND inside IS NOT NULL ORDER BY f.path LIMIT ?`,
      )
      .all(limit) as Array<{ file: string; inside: string }>;
  }

  close(): void {
    this.db.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function fromRow(row: Row): RemoteObject {
  return {
    relPath: row.path,
    size: row.size,
    etag: row.etag,
    storageClass: row.storage_class ?? undefined,
    lastModified: row.last_modified_ms === null ? undefined : new Date(Number(row.last_modified_ms)),
  };
}
