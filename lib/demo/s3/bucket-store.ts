import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface ObjectRecord {
  key: string;
  /** The data file's name in the bucket's objects/ folder: never derived from the key itself. */
  file: string;
  size: number;
  etag: string;
  contentType: string;
  lastModified: string;
  metadata: Record<string, string>;
}

/** S3 orders keys by their UTF-8 bytes, which is not JavaScript's string order. */
export const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/**
 * One bucket's objects on disk. A key names nothing on disk (files are named by hash and a random
 * suffix), so no key can reach outside the folder. Each write lands in a new data file and then
 * swaps the record in with a rename, so a reader never sees half an object or another's metadata.
 */
export class BucketStore {
  private readonly records = new Map<string, ObjectRecord>();
  private sorted: string[] = [];
  readonly objectsDir: string;
  readonly tempDir: string;
  readonly uploadsDir: string;

  constructor(
    readonly name: string,
    root: string,
  ) {
    const dir = path.join(root, name);
    this.objectsDir = path.join(dir, "objects");
    this.tempDir = path.join(dir, "tmp");
    this.uploadsDir = path.join(dir, "uploads");
    fs.rmSync(this.tempDir, { recursive: true, force: true });
    for (const d of [this.objectsDir, this.tempDir, this.uploadsDir]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    this.load();
  }

  private load(): void {
    const present = new Set(fs.readdirSync(this.objectsDir));
    for (const name of present) {
      if (!name.endsWith(".json")) continue;
      try {
        const record = JSON.parse(fs.readFileSync(path.join(this.objectsDir, name), "utf8")) as ObjectRecord;
        if (present.has(record.file)) this.records.set(record.key, record);
      } catch {
        // A record cut short by a crash is skipped: its object was never acknowledged.
      }
    }
    const referenced = new Set([...this.records.values()].map((r) => r.file));
    for (const name of present) {
      // Data files no record points at are leftovers of writes replaced or interrupted.
      if (!name.endsWith(".json") && !referenced.has(name))
        fs.rmSync(path.join(this.objectsDir, name), { force: true });
    }
    this.sorted = [...this.records.keys()].sort(compareKeys);
  }

  get(key: string): ObjectRecord | undefined {
    return this.records.get(key);
  }

  dataPath(record: ObjectRecord): string {
    return path.join(this.objectsDir, record.file);
  }

  newTempFile(): string {
    return path.join(this.tempDir, crypto.randomUUID());
  }

  /** Makes a received file the key's content; the previous content's file is removed. */
  commit(tempFile: string, record: Omit<ObjectRecord, "file">): ObjectRecord {
    const stem = crypto.createHash("sha256").update(record.key).digest("hex");
    const full: ObjectRecord = { ...record, file: `${stem}.${crypto.randomUUID()}` };
    fs.renameSync(tempFile, path.join(this.objectsDir, full.file));
    const recordTemp = this.newTempFile();
    fs.writeFileSync(recordTemp, JSON.stringify(full), { mode: 0o600 });
    fs.renameSync(recordTemp, path.join(this.objectsDir, `${stem}.json`));
    const previous = this.records.get(record.key);
    this.records.set(record.key, full);
    if (previous) fs.rmSync(path.join(this.objectsDir, previous.file), { force: true });
    else this.sorted.splice(this.insertionPoint(record.key), 0, record.key);
    return full;
  }

  delete(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    const stem = crypto.createHash("sha256").update(key).digest("hex");
    fs.rmSync(path.join(this.objectsDir, `${stem}.json`), { force: true });
    fs.rmSync(path.join(this.objectsDir, record.file), { force: true });
    this.records.delete(key);
    this.sorted.splice(this.insertionPoint(key), 1);
  }

  /** Records in S3's key order, from `start` (itself included or not) on. */
  *keysFrom(start: string, inclusive: boolean): Generator<ObjectRecord> {
    let i = this.insertionPoint(start);
    if (!inclusive && this.sorted[i] === start) i++;
    for (; i < this.sorted.length; i++) {
      const record = this.records.get(this.sorted[i]!);
      if (record) yield record;
    }
  }

  private insertionPoint(key: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(this.sorted[mid]!, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
