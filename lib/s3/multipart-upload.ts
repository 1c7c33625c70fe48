import crypto from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { md5Base64, resendIfDamaged, sha256, SHA256_METADATA_KEY } from "./checksums";
import { StoreClient } from "./client";
import { contentTypeFor } from "./content-type";
import { headSha256 } from "./copy-object";
import { normaliseEtag } from "./etag";
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

export interface MultipartInput {
  client: S3Client;
  bucket: string;
  key: string;
  size: bigint;
  /** SHA-256 of the whole content, from a read made before the upload (it goes into metadata first). */
  sha256: Buffer;
  /**
   * SHA-256 of each part, from the same read as `sha256`; each part is signed with its own.
   * `ofSentBytes`: computed from the very buffers `part` returns, so no second hash is needed.
   * Otherwise the parts are read again: where the store verifies signed payloads, its check proves
   * they are the first read's content; elsewhere they are hashed again on the way.
   */
  partDigests?: { sha256: Buffer[]; ofSentBytes: boolean };
  partSize: number;
  /** The bytes of part `index` (`length` bytes at `offset`), with how to give their buffer back. */
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
  body: Buffer;
  release: () => void;
}

export class ContentChangedError extends Error {
  constructor(message = "the file changed while it was being uploaded") {
    super(message);
    this.name = "ContentChangedError";
  }
}

/**
 * Uploads parts in parallel, each verified by the store against its digest. Unless `partDigests`
 * alone prove the parts (see there), their bytes are hashed again on the way and must match
 * `sha256`. A failure aborts the upload, so that no orphan parts remain, unless `keepForResume`
 * keeps it for the next job (a stop, an outage); with `resume`, the parts the store already
 * confirmed are not sent again.
 */
export async function multipartUpload(input: MultipartInput): Promise<{ etag: string; resumedParts: number }> {
  const { client, bucket, key, signal } = input;
  let uploadId = input.resume?.uploadId;
  let sweepOrphans: OrphanSweep | undefined;
  if (!uploadId) {
    const createdAt = Date.now();
    const created = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: contentTypeFor(key),
        Metadata: { [SHA256_METADATA_KEY]: input.sha256.toString("hex") },
      }),
      { abortSignal: signal },
    );
    uploadId = created.UploadId!;
    input.onCreated?.(uploadId);
    if ((created.$metadata.attempts ?? 1) > 1) {
      sweepOrphans = await retryOrphanSweep(client, bucket, key, uploadId, Date.now() - createdAt);
      for (const orphan of await sweepOrphans()) input.onOrphanAborted?.(orphan);
    }
  }
  try {
    const parts = await sendParts(input, uploadId);
    await input.beforeComplete();
    let etag: string;
    try {
      const done = await client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: signal },
      );
      etag = normaliseEtag(done.ETag);
    } catch (error) {
      // A completion whose reply was lost is retried by the SDK, and the retry finds no upload
      // (NoSuchUpload, or a 500 from some stores). The object itself says whether it took.
      if (signal?.aborted || !(await holdsContent(input))) throw error;
      etag = "";
    }
    if (!etag) {
      // Some stores (Ceph RGW) complete with an empty ETag; the object's own HEAD has it.
      etag = (await headSha256(client, bucket, key, signal)).etag;
    }
    return { etag, resumedParts: input.resume?.parts.size ?? 0 };
  } catch (error) {
    if (input.keepForResume?.(error)) throw error;
    const abortFailure = await abortUpload(client, bucket, key, uploadId);
    const reason = error instanceof Error ? error.message : String(error);
    input.onAborted?.(uploadId, abortFailure ? `${reason}; the abort itself failed (${abortFailure})` : reason);
    throw error;
  } finally {
    for (const orphan of (await sweepOrphans?.()) ?? []) input.onOrphanAborted?.(orphan);
  }
}

/** True when the object at the key has exactly this upload's size and sha256 metadata. */
async function holdsContent({ client, bucket, key, size, sha256, signal }: MultipartInput): Promise<boolean> {
  const head = await headSha256(client, bucket, key, signal).catch(() => undefined);
  return !!head && head.size === size && head.sha256 === sha256.toString("hex");
}

async function sendParts(input: MultipartInput, uploadId: string): Promise<CompletedPart[]> {
  const { client, bucket, key, size, partSize, signal } = input;
  const total = Number(size);
  const count = partCount(size, partSize);
  const parts: CompletedPart[] = new Array(count);
  const presigned = await presignedDigests(input, uploadId, count);
  const rehash = presigned ? undefined : crypto.createHash("sha256");
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  for (let index = 0; index < count && failure === undefined; index++) {
    signal?.throwIfAborted();
    const offset = index * partSize;
    const length = Math.min(partSize, total - offset);
    const partNumber = index + 1;
    const confirmed = input.resume?.parts.get(partNumber);
    if (confirmed && !rehash) {
      parts[index] = { PartNumber: partNumber, ETag: confirmed };
      continue;
    }
    let body: Buffer;
    let release: () => void;
    try {
      ({ body, release } = await input.part(index, offset, length));
    } catch (error) {
      failure = error;
      break;
    }
    rehash?.update(body);
    if (confirmed) {
      // Read (so the whole content is hashed again) but not sent: the store holds this part.
      parts[index] = { PartNumber: partNumber, ETag: confirmed };
      release();
      continue;
    }
    const part = { bucket, key, uploadId, partNumber, body, signal };
    const expected = presigned?.[index];
    // A refused part whose bytes no longer match the first read means the file changed, not the network.
    const changed = expected && (() => (sha256(body).equals(expected) ? undefined : new ContentChangedError()));
    const task = resendIfDamaged(() => sendPart(client, part, expected), changed)
      .then((etag) => {
        parts[index] = { PartNumber: partNumber, ETag: etag };
        input.onPartDone?.(uploadId, partNumber, etag);
        input.onPartSent(length);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        release();
        inFlight.delete(task);
      });
    inFlight.add(task);
    if (inFlight.size >= input.parallelParts) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  if (rehash && !rehash.digest().equals(input.sha256)) throw new ContentChangedError();
  return parts;
}

/** The parts' digests, when they alone prove the parts: taken from the bytes sent, or checked by the store. */
async function presignedDigests(input: MultipartInput, uploadId: string, count: number): Promise<Buffer[] | undefined> {
  const { client, bucket, key, partDigests, signal } = input;
  const lean = client instanceof StoreClient ? client.lean : undefined;
  if (!lean || partDigests?.sha256.length !== count) return undefined;
  if (partDigests.ofSentBytes) return partDigests.sha256;
  const spareNumber = count < MAX_PARTS ? MAX_PARTS : undefined;
  return (await verifiesSignedPayload(lean, { bucket, key, uploadId, spareNumber, signal })) ? partDigests.sha256 : undefined;
}

/**
 * One part. On the lean path the part's SHA-256 (`digest`, or computed here) is signed as the
 * payload hash, which the store verifies (SPEC: "SHA-256 where the store supports it"); that one
 * hash replaces both Content-MD5 (which costs twice as much CPU as SHA-256 here) and the SDK's
 * own hashing of the body for the signature. Through the SDK, Content-MD5 is sent.
 */
async function sendPart(
  client: S3Client,
  part: { bucket: string; key: string; uploadId: string; partNumber: number; body: Buffer; signal?: AbortSignal },
  digest?: Buffer,
): Promise<string> {
  const { bucket, key, uploadId, partNumber, body, signal } = part;
  const lean = client instanceof StoreClient ? client.lean : undefined;
  if (lean) {
    const query = { partNumber: String(partNumber), uploadId };
    const sha256Hex = (digest ?? sha256(body)).toString("hex");
    const reply = await lean.request({ method: "PUT", bucket, key, query, body, sha256Hex, signal });
    return String(reply.headers.etag ?? "");
  }
  const reply = await client.send(
    new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length, ContentMD5: md5Base64(body) }),
    { abortSignal: signal },
  );
  return reply.ETag ?? "";
}

/** Returns why the abort failed, if it did; the job's outcome is decided either way. */
export async function abortUpload(client: S3Client, bucket: string, key: string, uploadId: string): Promise<string | undefined> {
  // Deliberately without the job's abort signal: a stopped job must still clean up.
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    return undefined;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
