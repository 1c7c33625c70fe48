import crypto from "node:crypto";
import fsSync, { type BigIntStats } from "node:fs";
import type fs from "node:fs/promises";
import { fdPath, requireRegular, type TreeHandle } from "@/lib/fs/beneath";
import { DispositionError } from "@/lib/s3/disposition";
import { sameFingerprint } from "./fingerprint";

export class UnstableFileError extends DispositionError {
  constructor(attempts: number) {
    super("per-file", `the file kept changing while it was read (${attempts} attempts)`);
    this.name = "UnstableFileError";
  }
}

/** Large files are read in chunks of this size: small enough to be hashed while still in the CPU's cache. */
export const HASH_CHUNK = 1024 * 1024;

/** Same file (device and inode) holding the same content (size, mtime, ctime). */
export function sameVersion(a: BigIntStats, b: BigIntStats): boolean {
  return sameFingerprint(a, b) && a.dev === b.dev;
}

/** A file of a tree, reached below its root without following any link. */
export interface LocalFile {
  tree: TreeHandle;
  relPath: string;
}

export interface StableReadOptions {
  /** In a snapshot nothing can change, so one read is proof enough. */
  stableRead: boolean;
  attempts: number;
  onReread?: (attempt: number) => void;
  /** A file found larger than this when opened (it grew since the walk) is not read: FileGrewError. */
  maxBytes?: number;
}

/** The file is larger than the read was meant for (it grew since the walk): read it the large files' way. */
export class FileGrewError extends DispositionError {
  constructor(readonly size: bigint) {
    super("retry", `the file grew to ${size} bytes since it was listed`);
    this.name = "FileGrewError";
  }
}

function checkOpened(stat: BigIntStats, file: LocalFile, options: StableReadOptions): BigIntStats {
  requireRegular(stat, file.relPath);
  if (options.maxBytes !== undefined && stat.size > BigInt(options.maxBytes)) throw new FileGrewError(stat.size);
  return stat;
}

/**
 * Runs `read` over an open file between two fstat calls and repeats it (a few times) when the
 * file changed meanwhile: what it returns is one consistent version of the file, with the stat
 * that describes it.
 */
export async function readConsistently<T>(
  file: LocalFile,
  options: StableReadOptions,
  read: (handle: fs.FileHandle, stat: BigIntStats) => Promise<T>,
): Promise<{ value: T; stat: BigIntStats }> {
  for (let attempt = 1; ; attempt++) {
    const handle = await file.tree.open(file.relPath);
    try {
      const before = checkOpened(await handle.stat({ bigint: true }), file, options);
      const value = await read(handle, before);
      if (!options.stableRead) return { value, stat: before };
      const after = await file.tree.lstat(file.relPath);
      if (sameVersion(before, after)) return { value, stat: before };
    } finally {
      await handle.close();
    }
    if (attempt >= options.attempts) throw new UnstableFileError(attempt);
    options.onReread?.(attempt);
  }
}

/** Reads the whole file (it is small) into one buffer; holes of sparse files read as zeros. */
export async function readWhole(handle: fs.FileHandle, stat: BigIntStats): Promise<Buffer> {
  const size = Number(stat.size);
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
    // A file that shrank reads short; the second stat sees the change and the read is repeated.
    if (bytesRead === 0) return buffer.subarray(0, offset);
    offset += bytesRead;
  }
  return buffer;
}

/** Digests of the file's first `size` bytes, one per algorithm, in a single pass. */
export async function digestFile(
  handle: fs.FileHandle,
  size: bigint,
  algorithms: string[],
  signal?: AbortSignal,
): Promise<Buffer[]> {
  const hashes = algorithms.map((algorithm) => crypto.createHash(algorithm));
  const buffer = Buffer.allocUnsafe(HASH_CHUNK);
  const total = Number(size);
  for (let offset = 0; offset < total;) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, Math.min(HASH_CHUNK, total - offset), offset);
    if (bytesRead === 0) break;
    for (const hash of hashes) hash.update(buffer.subarray(0, bytesRead));
    offset += bytesRead;
  }
  return hashes.map((hash) => hash.digest());
}

/**
 * The whole file's SHA-256 and each `partSize` part's, in one pass over one read (through
 * `scratch`): a part later signed with its digest is proven by the store to be that read's bytes.
 */
export async function hashWholeAndParts(
  handle: fs.FileHandle,
  stat: BigIntStats,
  partSize: number,
  scratch: Buffer,
  signal?: AbortSignal,
): Promise<{ whole: Buffer; parts: Buffer[] }> {
  const whole = crypto.createHash("sha256");
  const parts: Buffer[] = [];
  let part = crypto.createHash("sha256");
  let inPart = 0;
  const total = Number(stat.size);
  for (let offset = 0; offset < total;) {
    signal?.throwIfAborted();
    const wanted = Math.min(scratch.length, partSize - inPart, total - offset);
    const { bytesRead } = await handle.read(scratch, 0, wanted, offset);
    if (bytesRead === 0) break;
    const chunk = scratch.subarray(0, bytesRead);
    whole.update(chunk);
    part.update(chunk);
    offset += bytesRead;
    inPart += bytesRead;
    if (inPart === partSize) {
      parts.push(part.digest());
      part = crypto.createHash("sha256");
      inPart = 0;
    }
  }
  if (inPart > 0 || parts.length === 0) parts.push(part.digest());
  return { whole: whole.digest(), parts };
}

/** Files up to this size may be read synchronously. */
export const SYNC_READ_MAX_BYTES = 256 * 1024;
/** A synchronous read slower than this is counted as slow (a wall-clock figure: a busy CPU counts too). */
const SLOW_SYNC_MS = 10;
/** Slow reads, as a share of reads so far, that show a file system which should not hold the event loop. */
const SLOW_SHARE = 0.05;
const MIN_READS_JUDGED = 200;

/** statfs magic numbers of local disk and memory file systems (linux/magic.h). */
const LOCAL_FILE_SYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
]);

/**
 * Reading a small cached file synchronously (open, fstat, read, lstat, close) costs a tenth of the
 * same five calls through the thread pool, which is most of what a 4 KiB file costs the job. It
 * holds the event loop, so the job reads synchronously only from a local file system, and only
 * while its reads stay quick: when more than a few percent are slow (a cold disk), the rest of
 * the job's reads go through the thread pool, where they also run in parallel.
 */
export class SyncReads {
  enabled: boolean;
  private reads = 0;
  private slow = 0;

  constructor(tree: TreeHandle) {
    try {
      this.enabled = LOCAL_FILE_SYSTEMS.has(fsSync.statfsSync(fdPath(tree.rootFd)).type);
    } catch {
      this.enabled = false;
    }
  }

  /**
   * With `known`, the walk's lstat of the file, the first attempt takes it as the version before
   * the read and compares it with the open file's fstat after: open, read, fstat and close,
   * instead of also an fstat before and an lstat after (syscalls cost 10 to 20 µs here).
   */
  readSmall(file: LocalFile, options: StableReadOptions, known?: BigIntStats): { value: Buffer; stat: BigIntStats } {
    const started = performance.now();
    try {
      return readSmallConsistentlySync(file, options, known);
    } finally {
      this.reads++;
      if (performance.now() - started > SLOW_SYNC_MS) this.slow++;
      if (this.reads >= MIN_READS_JUDGED && this.slow > this.reads * SLOW_SHARE) this.enabled = false;
    }
  }
}

function readSmallConsistentlySync(
  file: LocalFile,
  options: StableReadOptions,
  known?: BigIntStats,
): { value: Buffer; stat: BigIntStats } {
  for (let attempt = 1; ; attempt++) {
    const fd = file.tree.openSync(file.relPath);
    try {
      const walked = attempt === 1 ? known : undefined;
      const before = walked ?? checkOpened(fsSync.fstatSync(fd, { bigint: true }), file, options);
      const size = Number(before.size);
      const buffer = Buffer.allocUnsafe(size);
      let offset = 0;
      while (offset < size) {
        let bytesRead: number;
        try {
          bytesRead = fsSync.readSync(fd, buffer, offset, size - offset, offset);
        } catch (error) {
          // A FIFO or device opened in the file's place (EAGAIN, EINVAL…) is named as what it is.
          requireRegular(fsSync.fstatSync(fd, { bigint: true }), file.relPath);
          throw error;
        }
        if (bytesRead === 0) break;
        offset += bytesRead;
      }
      const value = offset < size ? buffer.subarray(0, offset) : buffer;
      if (!options.stableRead) return { value, stat: before };
      // The open file's own version after the read: a file replaced at its path since the walk
      // shows another device or inode; one written to since shows another size, mtime or ctime.
      const after = walked
        ? requireRegular(fsSync.fstatSync(fd, { bigint: true }), file.relPath)
        : file.tree.lstatSync(file.relPath);
      if (sameVersion(before, after)) return { value, stat: walked ? after : before };
    } finally {
      fsSync.closeSync(fd);
    }
    if (attempt >= options.attempts) throw new UnstableFileError(attempt);
    options.onReread?.(attempt);
  }
}
