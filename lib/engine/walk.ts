import type { BigIntStats, Dirent } from "node:fs";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import { fdPath, PathChangedError, type TreeHandle } from "@/lib/fs/beneath";
import { MAX_KEY_BYTES } from "./decide";
import { compareUtf8 } from "./key-order";
import { inRange, subtreeOutside, type KeyRange } from "./key-range";

export type EntryKind = "file" | "symlink" | "fifo" | "socket" | "block-device" | "char-device" | "unknown";

export interface LocalEntry {
  /** POSIX path relative to the walked root, no leading "/". */
  relPath: string;
  kind: EntryKind;
  stat?: BigIntStats;
  /** Set when the entry (or the directory it stands for) could not be read. */
  error?: string;
}

const STAT_BATCH = 64;

function kindOf(stat: BigIntStats): EntryKind | "directory" {
  if (stat.isFile()) return "file";
  if (stat.isDirectory()) return "directory";
  if (stat.isSymbolicLink()) return "symlink";
  if (stat.isFIFO()) return "fifo";
  if (stat.isSocket()) return "socket";
  if (stat.isBlockDevice()) return "block-device";
  if (stat.isCharacterDevice()) return "char-device";
  return "unknown";
}

interface Pending {
  relPath: string;
  /** Directories sort as if their name ended in "/", matching the keys below them. */
  sortKey: string;
  dirent: Dirent;
  stat?: BigIntStats | NodeJS.ErrnoException;
  /** Why the entry cannot become a key, known from its name alone. */
  nameError?: string;
}

/** One directory being walked: its open handle, and the entries of it not yet passed on. */
interface Level {
  relDir: string;
  fd: number;
  items: Pending[];
}

/**
 * Streams every non-directory entry below the tree's root, depth first, in the UTF-8 byte order
 * of the keys they map to. Only one directory's listing is held at a time per level of depth, so
 * memory follows the tree's depth and widest directory, not its size. Each directory is listed
 * and its entries stat'ed through its own handle, opened from its parent's without following a
 * link: a directory swapped for a symbolic link is reported, never entered.
 */
export async function* walkTree(
  tree: TreeHandle,
  signal?: AbortSignal,
  { maxPathBytes = MAX_KEY_BYTES, range }: { maxPathBytes?: number; range?: KeyRange } = {},
): AsyncGenerator<LocalEntry> {
  const stack: Level[] = [];
  try {
    stack.push(await listDirectory(tree, "", range));
    while (stack.length > 0) {
      signal?.throwIfAborted();
      const level = stack[stack.length - 1]!;
      const batch = level.items.splice(0, STAT_BATCH);
      if (batch.length === 0) {
        stack.pop();
        tree.release(level.relDir);
        continue;
      }
      const stats = await statBatch(level.fd, batch);
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i]!;
        if (item.nameError) {
          if (!inRange(item.relPath, range)) continue;
          yield { relPath: item.relPath, kind: "unknown", error: item.nameError };
          continue;
        }
        const stat = stats[i]!;
        if (stat instanceof Error) {
          if (stat.code === "ENOENT") continue; // removed since the listing: it is simply gone
          if (!inRange(item.relPath, range)) continue;
          yield { relPath: item.relPath, kind: "unknown", error: `cannot stat: ${stat.code ?? stat.message}` };
          continue;
        }
        const kind = kindOf(stat);
        if (kind !== "directory") {
          if (!inRange(item.relPath, range)) continue;
          yield { relPath: item.relPath, kind, stat };
          continue;
        }
        if (subtreeOutside(item.relPath + "/", range)) continue;
        // A directory's own error is reported by the one range that holds its key ("dir/").
        const reportsErrors = inRange(item.relPath + "/", range);
        // Nothing below a directory this deep could become a key: one error for it, and no handle
        // held open per level of a tree built to exhaust them.
        const bytes = Buffer.byteLength(item.relPath) + 1;
        if (bytes >= maxPathBytes) {
          if (!reportsErrors) continue;
          yield {
            relPath: item.relPath + "/",
            kind: "unknown",
            error: `the directory's path is ${bytes} bytes long, so no key below it could be shorter than ${MAX_KEY_BYTES} bytes; nothing in it is copied`,
          };
          continue;
        }
        // Descend now, keeping the rest of this batch for later: depth-first order is key order.
        const rest = batch.slice(i + 1).map((pending, j) => ({ ...pending, stat: stats[i + 1 + j] }));
        level.items.unshift(...rest);
        try {
          stack.push(await listDirectory(tree, item.relPath, range));
        } catch (error) {
          const reason =
            error instanceof PathChangedError
              ? error.message
              : `cannot read directory: ${(error as NodeJS.ErrnoException).code ?? error}`;
          if (reportsErrors) yield { relPath: item.relPath + "/", kind: "unknown", error: reason };
        }
        break;
      }
    }
  } finally {
    for (const level of stack) tree.release(level.relDir);
  }
}

/** How long a batch may hold the event loop with synchronous lstat calls. */
const SYNC_STAT_BUDGET_MS = 2;

/**
 * lstat of each entry. A synchronous lstat of a cached inode costs a fifth of one through the
 * thread pool, but it holds the event loop (and every transfer waiting on it): calls are made
 * synchronously only while the batch stays within a small time budget, and whatever is left
 * (a slow or cold file system) goes to the thread pool, in parallel.
 */
async function statBatch(
  dirFd: number,
  batch: Pending[],
): Promise<(BigIntStats | NodeJS.ErrnoException | undefined)[]> {
  const results: (BigIntStats | NodeJS.ErrnoException | undefined)[] = new Array(batch.length);
  const started = performance.now();
  let next = 0;
  for (; next < batch.length && performance.now() - started < SYNC_STAT_BUDGET_MS; next++) {
    const item = batch[next]!;
    if (item.nameError) continue;
    try {
      results[next] = item.stat ?? fsSync.lstatSync(fdPath(dirFd, item.dirent.name), { bigint: true });
    } catch (error) {
      results[next] = error as NodeJS.ErrnoException;
    }
  }
  await Promise.all(
    batch.slice(next).map(async (item, offset) => {
      if (item.nameError) return;
      results[next + offset] =
        item.stat ??
        (await fs.lstat(fdPath(dirFd, item.dirent.name), { bigint: true }).catch((e: NodeJS.ErrnoException) => e));
    }),
  );
  return results;
}

/** A directory's entries in key order; with a range, those that cannot reach it are left out before any lstat. */
async function listDirectory(tree: TreeHandle, relDir: string, range?: KeyRange): Promise<Level> {
  const fd = tree.acquire(relDir);
  try {
    const dirents = await fs.readdir(fdPath(fd), { withFileTypes: true });
    const items: Pending[] = dirents.map((dirent) => {
      const relPath = relDir ? `${relDir}/${dirent.name}` : dirent.name;
      return { relPath, sortKey: dirent.isDirectory() ? relPath + "/" : relPath, dirent };
    });
    // Node decodes names as UTF-8 and replaces what is not with U+FFFD; such a name reaches no
    // file, so it is reported (with its bytes) instead of passing for a file that vanished.
    if (dirents.some((d) => d.name.includes("\uFFFD"))) await markInvalidNames(fd, items);
    items.sort((a, b) => compareUtf8(a.sortKey, b.sortKey));
    return { relDir, fd, items: range ? items.filter((item) => mayReach(item, range)) : items };
  } catch (error) {
    tree.release(relDir);
    throw error;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

async function markInvalidNames(dirFd: number, items: Pending[]): Promise<void> {
  const raw = await fs.readdir(fdPath(dirFd), { encoding: "buffer" });
  const invalid = raw.filter((name) => {
    try {
      strictUtf8.decode(name);
      return false;
    } catch {
      return true;
    }
  });
  for (const name of invalid) {
    const shown = name.toString("utf8");
    const item = items.find((i) => i.dirent.name === shown && !i.nameError);
    if (!item) continue;
    const bytes = [...name].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    item.nameError = `the name is not valid UTF-8 (bytes ${bytes}), and S3 keys must be; rename it to copy it`;
    item.sortKey = item.relPath;
  }
}

function mayReach(item: Pending, range: KeyRange): boolean {
  if (item.dirent.isDirectory()) return !subtreeOutside(item.sortKey, range);
  // A type readdir could not tell may be a directory.
  const known = item.dirent.isFile() || item.dirent.isSymbolicLink() || item.dirent.isFIFO() || item.dirent.isSocket();
  return !known || inRange(item.relPath, range);
}
