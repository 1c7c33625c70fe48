import crypto from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { Semaphore } from "@/lib/concurrency/semaphore";
import { DispositionError } from "./disposition";
import type { ObjectBody, ObjectFacts, ObjectStore } from "./object-store";

/** The object is no longer the one the listing described. */
export class ObjectChangedError extends DispositionError {
  constructor(detail: string) {
    super("per-file", `the object changed during the job (${detail})`);
    this.name = "ObjectChangedError";
  }
}

/** The bytes received are not the bytes the store vouches for. */
export class ChecksumMismatchError extends DispositionError {
  constructor(what: string) {
    super("per-file", `the downloaded bytes do not match the object's ${what}`);
    this.name = "ChecksumMismatchError";
  }
}

export interface DownloadInput {
  store: ObjectStore;
  bucket: string;
  key: string;
  /** Size and ETag from the listing: what must arrive. */
  size: bigint;
  etag: string;
  file: FileHandle;
  /** Objects above this size are fetched as parallel ranged GETs. */
  rangeThreshold: number;
  partSize: number;
  parallelParts: number;
  bufferBudget: Semaphore;
  signal: AbortSignal;
  onBytes: (bytes: number) => void;
  /**
   * Flush each ranged part to disk as it lands, so that flushing a large file overlaps its
   * download instead of following it (the caller still syncs the whole file at the end).
   */
  flushParts?: boolean;
}

export interface Downloaded {
  sha256: Buffer;
  ranged: boolean;
  /** How the content was proved: the sha256 metadata, the MD5 ETag, or (lacking both) its size only. */
  verifiedBy: "sha256-metadata" | "md5-etag" | "size";
}

const REPORT_EVERY_BYTES = 256 * 1024;
/**
 * Objects up to this size come whole into memory by the lean path and are placed with
 * synchronous file calls: for them a stream, and a trip to the thread pool per call, cost more
 * than the bytes (the same bound as a push's synchronous read of a small file).
 */
export const SMALL_OBJECT_BYTES = 256 * 1024;

/**
 * Fetches one object into `file` and proves what arrived: every response must carry the listed
 * ETag (and a ranged GET asks for it with If-Match, so parts of two versions never mix), the
 * byte count must match, and the content must match the sha256 metadata when the object has it,
 * else an MD5 ETag when the ETag is one.
 */
export async function downloadObject(input: DownloadInput): Promise<Downloaded> {
  const ranged = input.size > BigInt(input.rangeThreshold);
  const hashes = new ContentHashes(input.etag);
  const first = ranged ? await fetchRanges(input, hashes) : await fetchWhole(input, hashes);
  return { sha256: hashes.verify(first), ranged, verifiedBy: hashes.verifiedBy(first) };
}

/**
 * A whole small object, fetched into memory and proved like any other (ETag, size, and the sha256
 * metadata or MD5 ETag); nothing is written. The caller holds `size` bytes of the job's buffer
 * budget while it keeps the data.
 */
export async function fetchSmallObject(
  input: Pick<DownloadInput, "store" | "bucket" | "key" | "size" | "etag" | "signal" | "onBytes">,
): Promise<{ data: Buffer } & Downloaded> {
  const size = Number(input.size);
  const reply = await input.store.getSmallObject({
    bucket: input.bucket,
    key: input.key,
    ifMatch: input.etag,
    signal: input.signal,
  });
  if (reply.etag && reply.etag !== input.etag) throw new ObjectChangedError(`its ETag is now ${reply.etag}`);
  if (reply.data.length !== size)
    throw new ObjectChangedError(`${reply.data.length} bytes arrived, the listing said ${input.size}`);
  const hashes = new ContentHashes(input.etag);
  hashes.choose(reply);
  hashes.update(reply.data);
  if (size > 0) input.onBytes(size);
  return { data: reply.data, sha256: hashes.verify(reply), ranged: false, verifiedBy: hashes.verifiedBy(reply) };
}

async function fetchWhole(input: DownloadInput, hashes: ContentHashes): Promise<ObjectBody> {
  const reply = await get(input);
  hashes.choose(reply);
  const reporter = new ByteReporter(input.onBytes);
  let position = 0;
  for await (const chunk of reply.body) {
    const data = chunk as Buffer;
    hashes.update(data);
    await writeFully(input.file, data, position);
    position += data.length;
    reporter.add(data.length);
  }
  reporter.flush();
  if (BigInt(position) !== input.size)
    throw new ObjectChangedError(`${position} bytes arrived, the listing said ${input.size}`);
  return reply;
}

/**
 * Parts are fetched in parallel and written where they belong as they arrive; they are hashed in
 * order, so a part that arrives early waits in memory (within the job's buffer budget, taken in
 * part order so that the earliest part can always proceed).
 */
async function fetchRanges(input: DownloadInput, hashes: ContentHashes): Promise<ObjectBody> {
  const total = Number(input.size);
  const count = Math.ceil(total / input.partSize);
  const arrived = new Map<number, { data: Buffer; release: () => void }>();
  const inFlight = new Set<Promise<void>>();
  let nextToHash = 0;
  let first: ObjectBody | undefined;
  let failure: unknown;
  // A failed part stops its siblings rather than letting them download for nothing.
  const stopParts = new AbortController();
  const partInput = { ...input, signal: AbortSignal.any([input.signal, stopParts.signal]) };

  const hashInOrder = () => {
    for (let part = arrived.get(nextToHash); part; part = arrived.get(nextToHash)) {
      hashes.update(part.data);
      part.release();
      arrived.delete(nextToHash++);
    }
  };

  for (let index = 0; index < count && failure === undefined; index++) {
    if (input.signal.aborted) {
      failure = input.signal.reason;
      break;
    }
    const offset = index * input.partSize;
    const length = Math.min(input.partSize, total - offset);
    const release = await input.bufferBudget.acquire(length);
    const task = (async () => {
      const reply = await get(partInput, { offset, length });
      if (index === 0) {
        first = reply;
        hashes.choose(reply);
      }
      const data = await readBody(reply.body, length, input.onBytes);
      await writeFully(input.file, data, offset);
      if (input.flushParts) await input.file.datasync();
      arrived.set(index, { data, release });
      hashInOrder();
    })()
      .catch((error: unknown) => {
        release();
        failure ??= error;
        stopParts.abort(error);
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= input.parallelParts) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  for (const part of arrived.values()) part.release();
  if (failure !== undefined) throw failure;
  hashInOrder();
  return first!;
}

async function get(input: DownloadInput, range?: { offset: number; length: number }): Promise<ObjectBody> {
  const reply = await input.store.getObject({
    bucket: input.bucket,
    key: input.key,
    range,
    ifMatch: input.etag,
    signal: input.signal,
  });
  if (reply.etag && reply.etag !== input.etag) {
    reply.body.destroy();
    throw new ObjectChangedError(`its ETag is now ${reply.etag}`);
  }
  return reply;
}

async function readBody(body: Readable, length: number, onBytes: (bytes: number) => void): Promise<Buffer> {
  const data = Buffer.allocUnsafe(length);
  const reporter = new ByteReporter(onBytes);
  let filled = 0;
  for await (const chunk of body) {
    const piece = chunk as Buffer;
    if (filled + piece.length > length) throw new ObjectChangedError("a range returned more bytes than asked for");
    piece.copy(data, filled);
    filled += piece.length;
    reporter.add(piece.length);
  }
  reporter.flush();
  if (filled !== length) throw new ObjectChangedError(`a range returned ${filled} of ${length} bytes`);
  return data;
}

async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** The digests a download needs: SHA-256 always (tracking keeps it), MD5 only to check an MD5 ETag. */
class ContentHashes {
  private readonly sha256 = crypto.createHash("sha256");
  private md5?: crypto.Hash;

  constructor(private readonly etag: string) {}

  /** Decided from the first response's headers, before any body byte is hashed. */
  choose(reply: ObjectFacts): void {
    if (!metadataSha256(reply) && isMd5Etag(this.etag, reply)) this.md5 = crypto.createHash("md5");
  }

  update(data: Buffer): void {
    this.sha256.update(data);
    this.md5?.update(data);
  }

  verify(reply: ObjectFacts): Buffer {
    const digest = this.sha256.digest();
    const expected = metadataSha256(reply);
    if (expected && expected !== digest.toString("hex")) throw new ChecksumMismatchError("sha256 metadata");
    if (this.md5 && this.md5.digest("hex") !== this.etag.toLowerCase()) throw new ChecksumMismatchError("ETag (MD5)");
    return digest;
  }

  verifiedBy(reply: ObjectFacts): Downloaded["verifiedBy"] {
    return metadataSha256(reply) ? "sha256-metadata" : this.md5 ? "md5-etag" : "size";
  }
}

function metadataSha256(reply: ObjectFacts): string | undefined {
  const value = reply.sha256?.toLowerCase();
  return value && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

/** A single-part upload's ETag is its MD5, unless the object is encrypted with KMS or a customer key. */
export function isMd5Etag(etag: string, reply?: Pick<ObjectFacts, "keyEncrypted">): boolean {
  return /^[0-9a-fA-F]{32}$/.test(etag) && !reply?.keyEncrypted;
}

/** Batches byte counts so progress hears of them a few times per megabyte, not per chunk. */
class ByteReporter {
  private pending = 0;
  constructor(private readonly onBytes: (bytes: number) => void) {}
  add(bytes: number): void {
    this.pending += bytes;
    if (this.pending >= REPORT_EVERY_BYTES) this.flush();
  }
  flush(): void {
    if (this.pending > 0) this.onBytes(this.pending);
    this.pending = 0;
  }
}
