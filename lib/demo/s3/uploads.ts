import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { BucketStore, ObjectRecord } from "./bucket-store";
import { noSuchUpload, S3Error } from "./errors";

export interface UploadRecord {
  uploadId: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiated: string;
}

interface PartRecord {
  size: number;
  etag: string;
}

/** S3's smallest part but the last. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** The multipart uploads of one bucket: each in its own folder, named by a random id. */
export class Uploads {
  private readonly uploads = new Map<string, UploadRecord>();

  constructor(private readonly bucket: BucketStore) {
    for (const id of fs.readdirSync(bucket.uploadsDir)) {
      try {
        this.uploads.set(
          id,
          JSON.parse(fs.readFileSync(path.join(bucket.uploadsDir, id, "upload.json"), "utf8")) as UploadRecord,
        );
      } catch {
        fs.rmSync(path.join(bucket.uploadsDir, id), { recursive: true, force: true });
      }
    }
  }

  create(key: string, contentType: string, metadata: Record<string, string>): UploadRecord {
    const record: UploadRecord = {
      uploadId: crypto.randomBytes(24).toString("hex"),
      key,
      contentType,
      metadata,
      initiated: new Date().toISOString(),
    };
    const dir = path.join(this.bucket.uploadsDir, record.uploadId);
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(path.join(dir, "upload.json"), JSON.stringify(record), { mode: 0o600 });
    this.uploads.set(record.uploadId, record);
    return record;
  }

  /** The upload, which must be for this key; ids are random hex, so one never names a path elsewhere. */
  get(uploadId: string, key: string): UploadRecord {
    const record = /^[0-9a-f]{48}$/.test(uploadId) ? this.uploads.get(uploadId) : undefined;
    if (!record || record.key !== key) throw noSuchUpload();
    return record;
  }

  list(): UploadRecord[] {
    return [...this.uploads.values()];
  }

  savePart(upload: UploadRecord, partNumber: number, tempFile: string, part: PartRecord): void {
    const dir = path.join(this.bucket.uploadsDir, upload.uploadId);
    if (!this.uploads.has(upload.uploadId)) throw noSuchUpload();
    fs.writeFileSync(`${tempFile}.json`, JSON.stringify(part), { mode: 0o600 });
    fs.renameSync(tempFile, path.join(dir, `part-${partNumber}`));
    fs.renameSync(`${tempFile}.json`, path.join(dir, `part-${partNumber}.json`));
  }

  abort(upload: UploadRecord): void {
    this.uploads.delete(upload.uploadId);
    fs.rmSync(path.join(this.bucket.uploadsDir, upload.uploadId), { recursive: true, force: true });
  }

  /** Joins the listed parts into the object; ETag as S3 computes it (MD5 of the parts' MD5s, then -N). */
  async complete(upload: UploadRecord, parts: { partNumber: number; etag: string }[]): Promise<ObjectRecord> {
    const dir = path.join(this.bucket.uploadsDir, upload.uploadId);
    const invalidPart = () =>
      new S3Error(
        400,
        "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      );
    const records: PartRecord[] = [];
    parts.forEach(({ partNumber }, i) => {
      if (i > 0 && partNumber <= parts[i - 1]!.partNumber)
        throw new S3Error(
          400,
          "InvalidPartOrder",
          "The list of parts was not in ascending order. Parts must be ordered by part number.",
        );
    });
    parts.forEach(({ partNumber, etag }, i) => {
      let record: PartRecord;
      try {
        record = JSON.parse(fs.readFileSync(path.join(dir, `part-${partNumber}.json`), "utf8")) as PartRecord;
      } catch {
        throw invalidPart();
      }
      if (record.etag !== etag) throw invalidPart();
      if (i < parts.length - 1 && record.size < MIN_PART_BYTES)
        throw new S3Error(
          400,
          "EntityTooSmall",
          "Your proposed upload is smaller than the minimum allowed object size.",
        );
      records.push(record);
    });
    const joined = this.bucket.newTempFile();
    const out = fs.createWriteStream(joined, { flags: "wx", mode: 0o600 });
    try {
      for (const { partNumber } of parts)
        await pipeline(fs.createReadStream(path.join(dir, `part-${partNumber}`)), out, { end: false });
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      out.destroy();
      fs.rmSync(joined, { force: true });
      throw error;
    }
    if (!this.uploads.has(upload.uploadId)) {
      fs.rmSync(joined, { force: true });
      throw noSuchUpload();
    }
    const md5s = Buffer.concat(records.map((r) => Buffer.from(r.etag, "hex")));
    const etag = `${crypto.createHash("md5").update(md5s).digest("hex")}-${parts.length}`;
    const size = records.reduce((sum, r) => sum + r.size, 0);
    const object = this.bucket.commit(joined, {
      key: upload.key,
      size,
      etag,
      contentType: upload.contentType,
      metadata: upload.metadata,
      lastModified: new Date().toISOString(),
    });
    this.abort(upload);
    return object;
  }
}
