import type { Dirent } from "node:fs";
import fs from "node:fs/promises";
import { fdPath, type TreeHandle } from "@/lib/fs/beneath";

/**
 * Counts the entries below the tree's root that are not directories, up to `limit`, from the
 * directories' listings alone: no entry is stat'ed, so telling whether a tree is large costs a
 * fraction of a walk. Each directory is opened through the tree's handles, never through a link;
 * one that cannot be read, or an entry whose type the file system does not give, counts as one.
 */
export async function countEntries(tree: TreeHandle, limit: number, deadline = Infinity): Promise<number> {
  let counted = 0;
  const directories = [""];
  while (directories.length > 0 && counted < limit && performance.now() < deadline) {
    const relDir = directories.pop()!;
    let names: Dirent[];
    try {
      const fd = tree.acquire(relDir);
      try {
        names = await fs.readdir(fdPath(fd), { withFileTypes: true });
      } finally {
        tree.release(relDir);
      }
    } catch {
      counted++;
      continue;
    }
    for (const dirent of names) {
      if (dirent.isDirectory()) directories.push(relDir ? `${relDir}/${dirent.name}` : dirent.name);
      else counted++;
    }
  }
  return counted;
}
