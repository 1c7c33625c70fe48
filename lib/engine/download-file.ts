import type { BigIntStats } from "node:fs";
import { fingerprintOf } from "./fingerprint";
import {
  closeSync,
  constants,
  fdatasync as fdatasyncCallback,
  fstatSync,
  futimesSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { promisify } from "node:util";
import fs from "node:fs/promises";
import { baseOf, fdPath, requireRegular } from "@/lib/fs/beneath";
import { classifyS3Error } from "@/lib/s3/classify-error";
import { downloadObject, fetchSmallObject, isMd5Etag, SMALL_OBJECT_BYTES } from "@/lib/s3/get-object";
import { choosePartSize } from "@/lib/s3/multipart-upload";
import type { ObjectStore } from "@/lib/s3/object-store";
import { carriesObjectTime, decideDownload } from "./decide-download";
import type { EngineListener } from "./events";
import { parentOf, type LocalTree } from "./local-tree";
import { partialName, type PartialsJournal } from "./partials-journal";
import { digestFile, sameVersion } from "./read-file";
import type { RemoteObject } from "./remote-listing";
import type { Semaphore } from "@/lib/concurrency/semaphore";
import { etagTag, type TrackedFile, type TrackingStore } from "./tracking-store";

export interface DownloadSettings {
  /** Objects above this size are fetched as parallel ranged GETs. */
  rangeThreshold: number;
  minPartSize: number;
  parallelParts: number;
  /** Attempts per object when a response breaks off mid-body (the SDK retries whole requests itself). */
  bodyAttempts: number;
  /** fdatasync each file before it is renamed into place, so a crash cannot leave a tracked file empty. */
  durableWrites: boolean;
  /**
   * Small objects (up to SMALL_OBJECT_BYTES) fetched at once, apart from the job's concurrency.
   * Their time is waiting, not work: a store that writes a response's headers and body apart,
   * with Nagle's algorithm on, holds the body until the client's delayed ACK (40 ms on Linux).
   */
  smallObjectsInFlight: number;
}

export interface DownloadContext {
  store: ObjectStore;
  bucket: string;
  folder: string;
  tree: LocalTree;
  tracking: TrackingStore;
  emit: EngineListener;
  signal: AbortSignal;
  bufferBudget: Semaphore;
  settings: DownloadSettings;
  /** Temporary files (relative paths) that exist right now; whatever is left here when the job ends is removed. */
  partials: Set<string>;
  journal: PartialsJournal;
  /** Temporary files named so far (see `partialName`). */
  tempCount: number;
}

const TEMP_OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Places one object at `relPath`: kept when provably unchanged, else downloaded beside it and renamed in. */
export async function placeObject(
  ctx: DownloadContext,
  object: RemoteObject,
  relPath: string,
  tracked: TrackedFile | undefined,
): Promise<void> {
  await ctx.tree.ensureDirectory(parentOf(relPath));
  const local = await ctx.tree.inspectTarget(relPath);
  const decision = decideDownload(object, tracked, local);
  switch (decision.action) {
    case "skip-unchanged":
      ctx.emit({ type: "file-unchanged", path: relPath, size: object.size, how: "fingerprint" });
      return;
    case "verify-then-download":
    case "adopt-or-download":
      if (
        await keptIfEqual(
          ctx,
          object,
          relPath,
          local!,
          decision.action === "verify-then-download" ? tracked!.sha256 : undefined,
        )
      )
        return;
      break;
  }
  await download(ctx, object, relPath);
}

/**
 * Keeps the local file when it already holds the object: hashed, given the object's time and
 * tracked through one handle, which must be the file `inspectTarget` saw (same device, inode,
 * size and times), so that no file put in its place meanwhile is taken for the object.
 * `trackedSha256` proves it for a file the job placed before; otherwise the MD5 ETag or the
 * object's sha256 metadata must match.
 */
async function keptIfEqual(
  ctx: DownloadContext,
  object: RemoteObject,
  relPath: string,
  local: BigIntStats,
  trackedSha256: Buffer | undefined,
): Promise<boolean> {
  const handle = await ctx.tree.handles.open(relPath);
  try {
    const opened = requireRegular(await handle.stat({ bigint: true }), relPath);
    if (!sameVersion(opened, local)) return false;
    const md5Etag = !trackedSha256 && isMd5Etag(object.etag);
    const [sha256, md5] = await digestFile(handle, local.size, md5Etag ? ["sha256", "md5"] : ["sha256"], ctx.signal);
    const equal = trackedSha256
      ? sha256!.equals(trackedSha256)
      : (md5 && md5.toString("hex") === object.etag.toLowerCase()) || (await hasSha256Metadata(ctx, object, sha256!));
    // Replaced at its path while it was hashed: the object is placed there instead.
    if (!equal || !sameVersion(await ctx.tree.handles.lstat(relPath), opened)) return false;
    await handle.utimes(new Date(), object.lastModified ?? new Date());
    record(ctx, relPath, await handle.stat({ bigint: true }), object, sha256!);
  } finally {
    await handle.close();
  }
  ctx.emit({
    type: "file-unchanged",
    path: relPath,
    size: object.size,
    how: trackedSha256 ? "verified-hash" : "adopted",
  });
  return true;
}

async function hasSha256Metadata(ctx: DownloadContext, object: RemoteObject, sha256: Buffer): Promise<boolean> {
  const head = await ctx.store.headObject({ bucket: ctx.bucket, key: ctx.folder + object.relPath, signal: ctx.signal });
  return head.etag === object.etag && head.sha256 === sha256.toString("hex");
}

async function download(ctx: DownloadContext, object: RemoteObject, relPath: string): Promise<void> {
  if (object.size <= BigInt(SMALL_OBJECT_BYTES)) return downloadSmall(ctx, object, relPath);
  const dir = parentOf(relPath);
  // A short name of fixed length: one derived from the target's could exceed NAME_MAX.
  const tempName = partialName(ctx.journal.prefix, ++ctx.tempCount);
  const temp = dir ? `${dir}/${tempName}` : tempName;
  await ctx.journal.noteDirectory(dir);
  const dirFd = ctx.tree.handles.acquire(dir);
  let handle: fs.FileHandle | undefined;
  try {
    ctx.partials.add(temp);
    handle = await fs.open(fdPath(dirFd, tempName), TEMP_OPEN_FLAGS, 0o666);
    const fetched = await fetchWithRetries(ctx, object, relPath, handle);
    if (ctx.settings.durableWrites) await handle.datasync();
    await handle.utimes(new Date(), object.lastModified ?? new Date());
    // A worker that lost its lease while waiting on the disk places nothing more: another may own the unit now.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // rename() never follows a link at the target, and fails on a directory that appeared there.
    await fs.rename(fdPath(dirFd, tempName), fdPath(dirFd, baseOf(relPath)));
    ctx.partials.delete(temp);
    // Stat through the open handle, after the rename (which sets the ctime the row must hold).
    record(ctx, relPath, await handle.stat({ bigint: true }), object, fetched.sha256);
    await handle.close();
    handle = undefined;
    ctx.emit({ type: "file-transferred", path: relPath, size: object.size, multipart: fetched.ranged });
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (ctx.partials.delete(temp)) await fs.rm(fdPath(dirFd, tempName), { force: true });
    throw error;
  } finally {
    ctx.tree.handles.release(dir);
  }
}

/**
 * A small object: fetched and proved in memory first (no temporary file waits on the network),
 * then placed with synchronous calls, each a few microseconds, instead of seven trips to the
 * thread pool; only the fdatasync, which waits on the disk, leaves the main thread.
 */
async function downloadSmall(ctx: DownloadContext, object: RemoteObject, relPath: string): Promise<void> {
  const size = Number(object.size);
  const release = await ctx.bufferBudget.acquire(size);
  try {
    const fetched = await fetchSmallObject({
      store: ctx.store,
      bucket: ctx.bucket,
      key: ctx.folder + object.relPath,
      size: object.size,
      etag: object.etag,
      signal: ctx.signal,
      onBytes: (bytes) => ctx.emit({ type: "bytes-moved", bytes }),
    });
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const dir = parentOf(relPath);
    const tempName = partialName(ctx.journal.prefix, ++ctx.tempCount);
    const temp = dir ? `${dir}/${tempName}` : tempName;
    await ctx.journal.noteDirectory(dir);
    const dirFd = ctx.tree.handles.acquire(dir);
    let fd: number | undefined;
    try {
      ctx.partials.add(temp);
      fd = openSync(fdPath(dirFd, tempName), TEMP_OPEN_FLAGS, 0o666);
      for (let done = 0; done < size;) done += writeSync(fd, fetched.data, done, size - done, done);
      if (ctx.settings.durableWrites) await fdatasync(fd);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      futimesSync(fd, new Date(), object.lastModified ?? new Date());
      // rename() never follows a link at the target, and fails on a directory that appeared there.
      renameSync(fdPath(dirFd, tempName), fdPath(dirFd, baseOf(relPath)));
      ctx.partials.delete(temp);
      // Stat through the open file, after the rename (which sets the ctime the row must hold).
      record(ctx, relPath, fstatSync(fd, { bigint: true }), object, fetched.sha256);
      closeSync(fd);
      fd = undefined;
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      if (ctx.partials.delete(temp)) rmSync(fdPath(dirFd, tempName), { force: true });
      throw error;
    } finally {
      ctx.tree.handles.release(dir);
    }
    ctx.emit({ type: "file-transferred", path: relPath, size: object.size, multipart: false });
  } finally {
    release();
  }
}

const fdatasync = promisify(fdatasyncCallback);

async function fetchWithRetries(ctx: DownloadContext, object: RemoteObject, relPath: string, handle: fs.FileHandle) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadObject({
        store: ctx.store,
        bucket: ctx.bucket,
        key: ctx.folder + object.relPath,
        size: object.size,
        etag: object.etag,
        file: handle,
        rangeThreshold: ctx.settings.rangeThreshold,
        partSize: choosePartSize(object.size, ctx.settings.minPartSize),
        parallelParts: ctx.settings.parallelParts,
        bufferBudget: ctx.bufferBudget,
        signal: ctx.signal,
        onBytes: (bytes) => ctx.emit({ type: "bytes-moved", bytes }),
        flushParts: ctx.settings.durableWrites,
      });
    } catch (error) {
      // A body cut off mid-stream surfaces here, after the SDK's own request retries.
      const transient = classifyS3Error(error).kind === "unreachable" && !ctx.signal.aborted;
      if (!transient || attempt >= ctx.settings.bodyAttempts) throw error;
      ctx.emit({ type: "retry", path: relPath, operation: "GetObject", attempts: attempt + 1 });
      await handle.truncate(0);
    }
  }
}

function record(ctx: DownloadContext, relPath: string, stat: BigIntStats, object: RemoteObject, digest: Buffer): void {
  // Only a file that carries the object's time can later be proved unchanged by its fingerprint.
  if (!carriesObjectTime(stat.mtimeNs, object)) return;
  ctx.tracking.put({
    path: relPath,
    ...fingerprintOf(stat),
    etagTag: etagTag(object.etag),
    sha256: digest,
  });
}
