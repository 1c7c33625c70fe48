import crypto from "node:crypto";
import { resendIfDamaged } from "./checksums";
import { contentTypeFor } from "./content-type";
import { DispositionError } from "./disposition";
import type { CompleteUploadRequest, ObjectStore, StreamedBody } from "./object-store";
import { retryOrphanSweep, type OrphanSweep } from "./orphan-uploads";
import { verifiesSignedPayload } from "./payload-check";

const MiB = 1024 * 1024;
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PARTS = 10_000;

/** The smallest whole-MiB part size (at least `floor`) that fits the file in 10,000 parts. */
export function choosePartSize(size: bigint, floor = 8 * MiB): number {
  const needed = Number((size + BigInt(MAX_PARTS) - 1n) / BigInt(MAX_PARTS));
  return Math.max(floor, MIN_PART_BYTES, Math.ceil(needed / MiB) * MiB);
}

export function partCount(size: bigint, partSize: number): number {
  return Math.max(1, Math.ceil(Number(size) / partSize));
}

type CompletedPart = CompleteUploadRequest["parts"][number];

export interface MultipartInput {
  store: ObjectStore;
  bucket: string;
  key: string;
  size: bigint;
  /** SHA-256 of the whole content, from a read made before the upload (it goes into metadata first). */
  sha256: Buffer;
  /**
   * SHA-256 of each part, from the same read as `sha256`; each part is signed with its own. Where
   * the store verifies signed payloads, its check proves each part is that read's content;
   * elsewhere each part is hashed again on the way and must match.
   */
  partSha256: Buffer[];
  partSize: number;
  /**
   * Part `index` (`length` bytes at `offset`), read as it is sent, with how to give back what it
   * holds. Waiting here bounds the parts in flight across a job.
   */
  part: (index: number, offset: number, length: number) => Promise<PartBody>;
  parallelParts: number;
  signal?: AbortSignal;
  onPartSent: (bytes: number) => void;
  /** Called once every part is sent, before completing: throws if the source changed meanwhile. */
  beforeComplete: () => Promise<void>;
  onAborted?: (uploadId: string, reason: string) => void;
  /** An upload left unfinished earlier, for this very content: its confirmed parts are not sent again. */
  resume?: { uploadId: string; parts: Map<number, string> };
  onCreated?: (uploadId: string) => void;
  /** An upload created by a lost-reply retry of our own Create, found and aborted. */
  onOrphanAborted?: (uploadId: string) => void;
  onPartDone?: (uploadId: string, partNumber: number, etag: string) => void;
  /**
   * Whether a failure ends the upload (aborted: nothing of it is worth keeping) or leaves it for
   * the next job to resume. Without it, every failure aborts.
   */
  keepForResume?: (error: unknown) => boolean;
}

export interface PartBody {
  body: StreamedBody;
  release: () => void;
}

/** The source's bytes are not the ones digested: it is read again (see transferLarge). */
export class ContentChangedError extends DispositionError {
  constructor(message = "the file changed while it was being uploaded") {
    super("retry", message);
    this.name = "ContentChangedError";
  }
}

/**
 * Uploads parts in parallel, each signed with its digest from the first read (see `partSha256`).
 * A failure aborts the upload, so that no orphan parts remain, unless `keepForResume`
 * keeps it for the next job (a stop, an outage); with `resume`, the parts the store already
 * confirmed are not sent again.
 */
export async function multipartUpload(input: MultipartInput): Promise<{ etag: string; resumedParts: number }> {
  const { store, bucket, key, signal } = input;
  let uploadId = input.resume?.uploadId;
  let sweepOrphans: OrphanSweep | undefined;
  if (!uploadId) {
    const createdAt = Date.now();
    const created = await store.createMultipartUpload({
      bucket,
      key,
      contentType: contentTypeFor(key),
      sha256: input.sha256,
      signal,
    });
    uploadId = created.uploadId;
    input.onCreated?.(uploadId);
    if (created.attempts > 1) {
      sweepOrphans = await retryOrphanSweep(store, bucket, key, uploadId, Date.now() - createdAt);
      for (const orphan of await sweepOrphans()) input.onOrphanAborted?.(orphan);
    }
  }
  try {
    const parts = await sendParts(input, uploadId);
    await input.beforeComplete();
    let etag: string;
    try {
      etag = (await store.completeMultipartUpload({ bucket, key, uploadId, parts, signal })).etag;
    } catch (error) {
      // A completion whose reply was lost is retried by the SDK, and the retry finds no upload
      // (NoSuchUpload, or a 500 from some stores). The object itself says whether it took.
      if (signal?.aborted || !(await holdsContent(input))) throw error;
      etag = "";
    }
    if (!etag) {
      // Some stores (Ceph RGW) complete with an empty ETag; the object's own HEAD has it.
      etag = (await store.headObject({ bucket, key, signal })).etag;
    }
    return { etag, resumedParts: input.resume?.parts.size ?? 0 };
  } catch (error) {
    if (input.keepForResume?.(error)) throw error;
    const abortFailure = await abortUpload(store, bucket, key, uploadId);
    const reason = error instanceof Error ? error.message : String(error);
    input.onAborted?.(uploadId, abortFailure ? `${reason}; the abort itself failed (${abortFailure})` : reason);
    throw error;
  } finally {
    for (const orphan of (await sweepOrphans?.()) ?? []) input.onOrphanAborted?.(orphan);
  }
}

/** True when the object at the key has exactly this upload's size and sha256 metadata. */
async function holdsContent({ store, bucket, key, size, sha256, signal }: MultipartInput): Promise<boolean> {
  const head = await store.headObject({ bucket, key, signal }).catch(() => undefined);
  return !!head && head.size === size && head.sha256 === sha256.toString("hex");
}

async function sendParts(input: MultipartInput, uploadId: string): Promise<CompletedPart[]> {
  const { store, bucket, key, size, partSize, signal } = input;
  const total = Number(size);
  const count = partCount(size, partSize);
  if (input.partSha256.length !== count)
    throw new Error(`${count} parts need ${count} digests, not ${input.partSha256.length}`);
  const storeChecks = await storeChecksDigests(input, uploadId, count);
  const parts: CompletedPart[] = new Array(count);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  for (let index = 0; index < count && failure === undefined; index++) {
    signal?.throwIfAborted();
    const offset = index * partSize;
    const length = Math.min(partSize, total - offset);
    const partNumber = index + 1;
    const confirmed = input.resume?.parts.get(partNumber);
    if (confirmed) {
      // The store holds this part of this very content (the resumed upload's digest is this read's).
      parts[index] = { partNumber, etag: confirmed };
      continue;
    }
    let source: PartBody;
    try {
      source = await input.part(index, offset, length);
    } catch (error) {
      failure = error;
      break;
    }
    const expected = input.partSha256[index]!;
    const body = storeChecks ? source.body : checkedOnTheWay(source.body, expected);
    const part = { bucket, key, uploadId, partNumber, body, sha256: expected, signal };
    // A refused part whose bytes no longer match the first read means the file changed, not the network.
    const changed = async () =>
      (await digestOf(source.body)).equals(expected) ? undefined : new ContentChangedError();
    const task = resendIfDamaged(() => store.uploadPart(part), changed)
      .then(({ etag }) => {
        parts[index] = { partNumber, etag };
        input.onPartDone?.(uploadId, partNumber, etag);
        input.onPartSent(length);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        source.release();
        inFlight.delete(task);
      });
    inFlight.add(task);
    if (inFlight.size >= input.parallelParts) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return parts;
}

/** Whether the store compares each part with its signed SHA-256 (asked once per store, inside this upload). */
async function storeChecksDigests(input: MultipartInput, uploadId: string, count: number): Promise<boolean> {
  const { store, bucket, key, signal } = input;
  const spareNumber = count < MAX_PARTS ? MAX_PARTS : undefined;
  return verifiesSignedPayload(store, { bucket, key, uploadId, spareNumber, signal });
}

/**
 * The part's bytes, hashed as they go: the last chunk is held back unless they match the first
 * read's digest, so a store that checks nothing never completes a part of other content.
 */
function checkedOnTheWay(body: StreamedBody, expected: Buffer): StreamedBody {
  return {
    length: body.length,
    chunks: async function* () {
      const hash = crypto.createHash("sha256");
      let seen = 0;
      for await (const chunk of body.chunks()) {
        hash.update(chunk);
        seen += chunk.length;
        if (seen >= body.length && !hash.digest().equals(expected)) throw new ContentChangedError();
        yield chunk;
      }
    },
  };
}

async function digestOf(body: StreamedBody): Promise<Buffer> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of body.chunks()) hash.update(chunk);
  return hash.digest();
}

/** Returns why the abort failed, if it did; the job's outcome is decided either way. */
export async function abortUpload(
  store: ObjectStore,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<string | undefined> {
  // Deliberately without the job's abort signal: a stopped job must still clean up.
  try {
    await store.abortMultipartUpload({ bucket, key, uploadId });
    return undefined;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
