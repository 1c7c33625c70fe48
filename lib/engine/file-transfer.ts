import type { BigIntStats } from "node:fs";
import type { TreeHandle } from "@/lib/fs/beneath";
import { sha256 as sha256Of } from "@/lib/s3/checksums";
import { copyObject, MAX_SINGLE_COPY_BYTES } from "@/lib/s3/copy-object";
import { classifyS3Error, s3ErrorCode } from "@/lib/s3/classify-error";
import { carriedDisposition } from "@/lib/s3/disposition";
import { abortUpload, ContentChangedError, multipartUpload } from "@/lib/s3/multipart-upload";
import type { ObjectStore } from "@/lib/s3/object-store";
import { putObject } from "@/lib/s3/put-object";
import type { Decision } from "./decide";
import type { EngineListener } from "./events";
import { sameFingerprint, fingerprintOf } from "./fingerprint";
import {
  FileGrewError,
  readConsistently,
  readWhole,
  sameVersion,
  SYNC_READ_MAX_BYTES,
  type SyncReads,
  UnstableFileError,
  type LocalFile,
} from "./read-file";
import type { PartBuffers } from "./part-buffers";
import type { Semaphore } from "@/lib/concurrency/semaphore";
import { readUploadSource } from "./upload-source";
import { etagTag, type TrackedFile, type TrackingStore } from "./tracking-store";
import type { LocalEntry } from "./walk";

export interface TransferSettings {
  multipartThreshold: number;
  minPartSize: number;
  parallelParts: number;
  stableRead: boolean;
  stableReadAttempts: number;
  sendSha256Checksum: boolean;
}

export interface TransferContext {
  store: ObjectStore;
  bucket: string;
  /** The directory (or its snapshot) the files are read from. */
  tree: TreeHandle;
  tracking: TrackingStore;
  emit: EngineListener;
  signal: AbortSignal;
  /** Chunk buffers for large files: each part in flight, and each first read, holds one. */
  buffers: PartBuffers;
  /**
   * First reads of large files, one at a time: hashed side by side on one thread, every file
   * would wait for all of them before its upload could begin.
   */
  digestLane: Semaphore;
  syncReads: SyncReads;
  settings: TransferSettings;
}

export interface FileJob {
  entry: LocalEntry;
  key: string;
  decision: Extract<Decision, { action: "upload" | "verify-then-upload" | "adopt-or-upload" }>;
  tracked?: TrackedFile;
}

/** The content's digest once its object is in the bucket (what a further hard link copies). */
export type Landed = { sha256: Buffer; size: bigint };

/** Sends one regular file (or proves it need not be sent) and records it in the tracking store. */
export async function transferFile(ctx: TransferContext, job: FileJob): Promise<Landed> {
  const size = job.entry.stat!.size;
  return size <= BigInt(ctx.settings.multipartThreshold) ? transferSmall(ctx, job) : transferLarge(ctx, job);
}

async function transferSmall(ctx: TransferContext, job: FileJob): Promise<Landed> {
  const { entry, key } = job;
  const file: LocalFile = { tree: ctx.tree, relPath: entry.relPath };
  // Held in memory whole: never more than a small file may be, however much it grew since the walk.
  const options = { ...readOptions(ctx, entry), maxBytes: ctx.settings.multipartThreshold };
  let read;
  try {
    read =
      ctx.syncReads.enabled && entry.stat!.size <= SYNC_READ_MAX_BYTES
        ? ctx.syncReads.readSmall(file, options, entry.stat)
        : await readConsistently(file, options, readWhole);
  } catch (error) {
    // A recovery of its own: not the same read again, but the large files' way.
    if (error instanceof FileGrewError) return transferLarge(ctx, job);
    throw error;
  }
  const { value: body, stat } = read;
  const digest = sha256Of(body);
  if (await provenUnchanged(ctx, job, digest, stat)) return { sha256: digest, size: stat.size };
  const put = await putObject({
    store: ctx.store,
    bucket: ctx.bucket,
    key,
    body,
    sha256: digest,
    sendSha256Checksum: ctx.settings.sendSha256Checksum,
    signal: ctx.signal,
  });
  if (put.attempts > 1)
    ctx.emit({ type: "retry", path: entry.relPath, operation: "PutObject", attempts: put.attempts });
  record(ctx, entry.relPath, stat, etagTag(put.etag), digest);
  ctx.emit({ type: "bytes-moved", bytes: body.length });
  ctx.emit({ type: "file-transferred", path: entry.relPath, size: stat.size, multipart: false });
  return { sha256: digest, size: stat.size };
}

async function transferLarge(ctx: TransferContext, job: FileJob): Promise<Landed> {
  const { entry, key } = job;
  const file: LocalFile = { tree: ctx.tree, relPath: entry.relPath };
  const attempts = ctx.settings.stableRead ? ctx.settings.stableReadAttempts : 1;
  for (let attempt = 1; ; attempt++) {
    // The digest goes into the object's metadata, which is fixed when the upload is created.
    const source = await digestLarge(ctx, file, entry);
    const { stat, sha256: digest, partSize } = source;
    if (await provenUnchanged(ctx, job, digest, stat)) return { sha256: digest, size: stat.size };
    const resume = await resumableUpload(ctx, entry.relPath, key, stat, digest, partSize);
    try {
      const { etag, resumedParts } = await multipartUpload({
        store: ctx.store,
        bucket: ctx.bucket,
        key,
        size: stat.size,
        sha256: digest,
        partSha256: source.partSha256,
        partSize,
        part: source.part,
        parallelParts: ctx.settings.parallelParts,
        signal: ctx.signal,
        onPartSent: (bytes) => ctx.emit({ type: "bytes-moved", bytes }),
        beforeComplete: async () => {
          if (!sameVersion(stat, await ctx.tree.lstat(entry.relPath))) throw new ContentChangedError();
        },
        resume,
        onCreated: (uploadId) =>
          ctx.tracking.beginUpload(entry.relPath, {
            uploadId,
            ...fingerprintOf(stat),
            sha256: digest,
            partSize,
          }),
        onOrphanAborted: (uploadId) => ctx.emit({ type: "orphan-upload-aborted", path: entry.relPath, uploadId }),
        onPartDone: (uploadId, partNumber, etag) => ctx.tracking.partDone(uploadId, partNumber, etag),
        // A stop or an outage leaves the upload to be resumed; a changed file or a refused part ends it.
        keepForResume: (error) =>
          carriedDisposition(error) !== "retry" &&
          (ctx.signal.aborted || classifyS3Error(error).disposition === "fatal"),
        onAborted: (uploadId, reason) => {
          ctx.tracking.endUpload(entry.relPath);
          ctx.emit({ type: "multipart-aborted", path: entry.relPath, uploadId, reason });
        },
      });
      ctx.tracking.endUpload(entry.relPath);
      if (resumedParts > 0) ctx.emit({ type: "multipart-resumed", path: entry.relPath, partsReused: resumedParts });
      record(ctx, entry.relPath, stat, etagTag(etag), digest);
      ctx.emit({ type: "file-transferred", path: entry.relPath, size: stat.size, multipart: true });
      return { sha256: digest, size: stat.size };
    } catch (error) {
      if (resume && s3ErrorCode(error) === "NoSuchUpload") {
        // The store no longer has the upload (expired, or aborted by a lifecycle rule): start afresh.
        ctx.tracking.endUpload(entry.relPath);
        attempt--;
        continue;
      }
      // The file changed under the upload: read it again, as many times as a stable read may.
      if (carriedDisposition(error) !== "retry") throw error;
      if (attempt >= attempts) throw new UnstableFileError(attempt);
      ctx.emit({ type: "file-reread", path: entry.relPath, attempt });
    }
  }
}

async function digestLarge(ctx: TransferContext, file: LocalFile, entry: LocalEntry) {
  const release = await ctx.digestLane.acquire();
  try {
    return await readUploadSource(file, readOptions(ctx, entry), ctx.buffers, ctx.settings.minPartSize, ctx.signal);
  } finally {
    release();
  }
}

/**
 * The unfinished upload of this file that the next job may resume: only when the file is exactly
 * as it was read for it. One for another version of the file is aborted, so none is left behind.
 */
async function resumableUpload(
  ctx: TransferContext,
  relPath: string,
  key: string,
  stat: BigIntStats,
  digest: Buffer,
  partSize: number,
) {
  const pending = ctx.tracking.pendingUpload(relPath);
  if (!pending) return undefined;
  if (sameFingerprint(pending, stat) && pending.sha256.equals(digest) && pending.partSize === partSize)
    return { uploadId: pending.uploadId, parts: pending.parts };
  const failure = await abortUpload(ctx.store, ctx.bucket, key, pending.uploadId);
  ctx.tracking.endUpload(relPath);
  ctx.emit({
    type: "multipart-aborted",
    path: relPath,
    uploadId: pending.uploadId,
    reason: `the file changed since an earlier job began uploading it${failure ? `; the abort itself failed (${failure})` : ""}`,
  });
  return undefined;
}

/** A server-side copy of the object already holding this inode's content: no data is sent. */
export async function copyLink(
  ctx: TransferContext,
  entry: LocalEntry,
  key: string,
  sourceKey: string,
  source: Landed,
): Promise<Landed> {
  const stat = entry.stat!;
  if (source.size > MAX_SINGLE_COPY_BYTES) {
    return transferFile(ctx, { entry, key, decision: { action: "upload" } });
  }
  const { etag } = await copyObject({
    store: ctx.store,
    bucket: ctx.bucket,
    sourceKey,
    key,
    sha256: source.sha256,
    signal: ctx.signal,
  });
  record(ctx, entry.relPath, stat, etagTag(etag), source.sha256);
  ctx.emit({ type: "file-copied-server-side", path: entry.relPath, source: sourceKey, size: stat.size });
  return source;
}

/** True when the object at the key already holds exactly this content; the tracking row is refreshed. */
async function provenUnchanged(
  ctx: TransferContext,
  job: FileJob,
  digest: Buffer,
  stat: BigIntStats,
): Promise<boolean> {
  const { decision, tracked, entry, key } = job;
  if (decision.action === "verify-then-upload" && tracked && tracked.sha256.equals(digest)) {
    record(ctx, entry.relPath, stat, tracked.etagTag, digest);
    ctx.emit({ type: "file-unchanged", path: entry.relPath, size: stat.size, how: "verified-hash" });
    return true;
  }
  if (decision.action === "adopt-or-upload") {
    const head = await ctx.store.headObject({ bucket: ctx.bucket, key, signal: ctx.signal });
    if (head.sha256 === digest.toString("hex") && head.size === stat.size) {
      record(ctx, entry.relPath, stat, etagTag(head.etag), digest);
      ctx.emit({ type: "file-unchanged", path: entry.relPath, size: stat.size, how: "adopted" });
      return true;
    }
  }
  return false;
}

function record(ctx: TransferContext, relPath: string, stat: BigIntStats, tag: string, digest: Buffer): void {
  ctx.tracking.put({
    path: relPath,
    ...fingerprintOf(stat),
    etagTag: tag,
    sha256: digest,
  });
}

function readOptions(ctx: TransferContext, entry: LocalEntry) {
  return {
    stableRead: ctx.settings.stableRead,
    attempts: ctx.settings.stableReadAttempts,
    onReread: (attempt: number) => ctx.emit({ type: "file-reread", path: entry.relPath, attempt }),
  };
}
