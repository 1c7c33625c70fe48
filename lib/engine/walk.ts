import type { BigIntStats, Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { compareUtf8 } from "./key-order";

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
}

/**
 * Streams every non-directory entry below `root`, depth first, in the UTF-8 byte order of the
 * keys they map to. Only one directory's listing is held at a time per level of depth, so memory
 * follows the tree's depth and widest directory, not its size.
 */
export async function* walkTree(root: string, signal?: AbortSignal): AsyncGenerator<LocalEntry> {
  const stack: Pending[][] = [await listDirectory(root, "")];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const level = stack[stack.length - 1]!;
    const batch = level.splice(0, STAT_BATCH);
    if (batch.length === 0) {
      stack.pop();
      continue;
    }
    const stats = await Promise.all(
      batch.map(
        (item) =>
          item.stat ?? fs.lstat(path.join(root, item.relPath), { bigint: true }).catch((e: NodeJS.ErrnoException) => e),
      ),
    );
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      const stat = stats[i]!;
      if (stat instanceof Error) {
        if (stat.code === "ENOENT") continue; // removed since the listing: it is simply gone
        yield { relPath: item.relPath, kind: "unknown", error: `cannot stat: ${stat.code ?? stat.message}` };
        continue;
      }
      const kind = kindOf(stat);
      if (kind !== "directory") {
        yield { relPath: item.relPath, kind, stat };
        continue;
      }
      // Descend now, keeping the rest of this batch for later: depth-first order is key order.
      const rest = batch.slice(i + 1).map((pending, j) => ({ ...pending, stat: stats[i + 1 + j] }));
      level.unshift(...rest);
      try {
        stack.push(await listDirectory(root, item.relPath));
      } catch (error) {
        yield { relPath: item.relPath + "/", kind: "unknown", error: `cannot read directory: ${(error as NodeJS.ErrnoException).code ?? error}` };
      }
      break;
    }
  }
}

async function listDirectory(root: string, relDir: string): Promise<Pending[]> {
  const dirents = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
  const items = dirents.map((dirent) => {
    const relPath = relDir ? `${relDir}/${dirent.name}` : dirent.name;
    return { relPath, sortKey: dirent.isDirectory() ? relPath + "/" : relPath, dirent };
  });
  items.sort((a, b) => compareUtf8(a.sortKey, b.sortKey));
  return items;
}
