import type { BigIntStats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

/** A local path that cannot take what the bucket holds; the message names the path. */
export class LocalConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalConflictError";
  }
}

const MAX_REMEMBERED_DIRECTORIES = 50_000;

/**
 * Writes under one directory without ever leaving it. Keys have already been refused when they
 * hold "", "." or ".." components, so a joined path is lexically inside the root; what is left
 * is the file system itself: every directory on the way must be a real directory, never a
 * symbolic link (which could point anywhere), and is created when missing.
 */
export class LocalTree {
  private readonly verified = new Set<string>();
  /** Directories this job created: nothing of the bucket's was in them before, so no target needs a look. */
  private readonly created = new Set<string>();

  constructor(readonly root: string) {}

  hostPath(relPath: string): string {
    const host = path.join(this.root, relPath);
    // Keys were refused before this point if they could leave the root; this is the last line.
    if (path.relative(this.root, host).split(path.sep)[0] === "..") throw new LocalConflictError(`"${relPath}" lies outside the directory`);
    return host;
  }

  /** Makes sure every component of `relDir` ("" is the root) is a directory, creating what is missing. */
  async ensureDirectory(relDir: string): Promise<void> {
    if (relDir === "" || this.verified.has(relDir)) return;
    await this.ensureDirectory(parentOf(relDir));
    const host = this.hostPath(relDir);
    let stat = await lstatOrNull(host);
    if (!stat) {
      try {
        await fs.mkdir(host);
        this.remember(this.created, relDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      stat = await fs.lstat(host, { bigint: true });
    }
    if (stat.isSymbolicLink()) throw new LocalConflictError(`"${relDir}" is a symbolic link; nothing is written through links`);
    if (!stat.isDirectory()) throw new LocalConflictError(`"${relDir}" exists and is not a directory`);
    this.remember(this.verified, relDir);
  }

  private remember(set: Set<string>, relDir: string): void {
    if (set.size >= MAX_REMEMBERED_DIRECTORIES) set.clear();
    set.add(relDir);
  }

  /** The target's current state: null when absent; a conflict when it cannot be replaced by a download. */
  async inspectTarget(relPath: string): Promise<BigIntStats | null> {
    if (this.created.has(parentOf(relPath))) return null;
    const stat = await lstatOrNull(this.hostPath(relPath));
    if (!stat) return null;
    if (!stat.isFile()) throw new LocalConflictError(`"${relPath}" exists and is not a regular file (${describeKind(stat)})`);
    if (stat.nlink > 1n) throw new LocalConflictError(`"${relPath}" has ${stat.nlink} hard links; replacing it would split them`);
    return stat;
  }
}

export function parentOf(relPath: string): string {
  const slash = relPath.lastIndexOf("/");
  return slash < 0 ? "" : relPath.slice(0, slash);
}

async function lstatOrNull(file: string): Promise<BigIntStats | null> {
  try {
    return await fs.lstat(file, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function describeKind(stat: BigIntStats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return "a device";
  return "not a regular file";
}
