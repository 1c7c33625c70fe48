import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { RemoteObject } from "./remote-listing";

const PAGE = 2000;

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
    this.db.exec("CREATE TABLE listing (path TEXT PRIMARY KEY, size INTEGER NOT NULL, etag TEXT NOT NULL, storage_class TEXT) WITHOUT ROWID");
    this.insert = this.db.prepare("INSERT OR REPLACE INTO listing (path, size, etag, storage_class) VALUES (?, ?, ?, ?)");
    this.page = this.db.prepare("SELECT * FROM listing WHERE path > ? ORDER BY path LIMIT ?").safeIntegers(true);
  }

  async fill(objects: AsyncIterable<RemoteObject>): Promise<number> {
    let batch: RemoteObject[] = [];
    let count = 0;
    const write = this.db.transaction((rows: RemoteObject[]) => {
      for (const o of rows) this.insert.run(o.relPath, o.size, o.etag, o.storageClass ?? null);
    });
    for await (const object of objects) {
      batch.push(object);
      if (batch.length >= 1000) {
        write(batch);
        count += batch.length;
        batch = [];
      }
    }
    write(batch);
    return count + batch.length;
  }

  async *sorted(): AsyncGenerator<RemoteObject> {
    let after = "";
    for (;;) {
      const rows = this.page.all(after, PAGE) as Array<{ path: string; size: bigint; etag: string; storage_class: string | null }>;
      for (const row of rows) yield { relPath: row.path, size: row.size, etag: row.etag, storageClass: row.storage_class ?? undefined };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.path;
      await Promise.resolve();
    }
  }

  close(): void {
    this.db.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
