import type { BigIntStats } from "node:fs";
import fs from "node:fs/promises";
import { kindOf, parentOf, type TreeHandle } from "@/lib/fs/beneath";
import { DispositionError } from "@/lib/s3/disposition";

export { parentOf } from "@/lib/fs/beneath";

/** A local path that cannot take what the bucket holds; the message names the path. */
export class LocalConflictError extends DispositionError {
  constructor(message: string) {
    super("per-file", message);
    this.name = "LocalConflictError";
  }
}

const MAX_REMEMBERED_DIRECTORIES = 50_000;

/**
 * Writes under one directory without ever leaving it. Keys have already been refused when they
 * hold "", "." or ".." components; every access goes through the tree's directory handles, so
 * no symbolic link is followed on the way, whenever it appeared. Directories are created when
 * missing; one that is a link or not a directory at all is a conflict named by its path.
 */
export class LocalTree {
  private readonly verified = new Set<string>();
  /** Directories this job created: nothing of the bucket's was in them before, so no target needs a look. */
  private readonly created = new Set<string>();

  constructor(readonly handles: TreeHandle) {}

  /** Makes sure every component of `relDir` ("" is the root) is a directory, creating what is missing. */
  async ensureDirectory(relDir: string): Promise<void> {
    if (relDir === "" || this.verified.has(relDir)) return;
    await this.ensureDirectory(parentOf(relDir));
    let stat = await lstatOrNull(this.handles, relDir);
    if (!stat) {
      try {
        await this.handles.at(relDir, (p) => fs.mkdir(p));
        this.remember(this.created, relDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      stat = await this.handles.lstat(relDir);
    }
    if (stat.isSymbolicLink())
      throw new LocalConflictError(`"${relDir}" is a symbolic link; nothing is written through links`);
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
    const stat = await lstatOrNull(this.handles, relPath);
    if (!stat) return null;
    if (!stat.isFile()) throw new LocalConflictError(`"${relPath}" exists and is not a regular file (${kindOf(stat)})`);
    if (stat.nlink > 1n)
      throw new LocalConflictError(`"${relPath}" has ${stat.nlink} hard links; replacing it would split them`);
    return stat;
  }
}

async function lstatOrNull(handles: TreeHandle, relPath: string): Promise<BigIntStats | null> {
  try {
    return await handles.lstat(relPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
