import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { ReadMode } from "./events";

const run = promisify(execFile);
const BTRFS_SUPER_MAGIC = 0x9123683e;
/** Every btrfs subvolume's root directory has this inode number. */
const BTRFS_SUBVOLUME_ROOT_INO = 256n;
export const SNAPSHOT_HOLDER = ".s3shift-snapshots";

export interface TreeView {
  /** Where to read the tree from: the snapshot's copy of the directory, or the directory itself. */
  root: string;
  mode: ReadMode;
  detail: string;
  release(): Promise<void>;
}

/**
 * A point-in-time view of `directory`: a read-only btrfs snapshot when the directory is on btrfs
 * and the snapshot can be made, otherwise the live tree read in stable-read mode.
 */
export async function openTreeView(directory: string, bucket: string, jobId: string): Promise<TreeView> {
  const live = (detail: string): TreeView => ({ root: directory, mode: "stable-read", detail, release: async () => {} });
  const statfs = await fs.statfs(directory).catch(() => undefined);
  if (!statfs || statfs.type !== BTRFS_SUPER_MAGIC) return live("the file system cannot make snapshots");
  const subvolume = await findSubvolumeRoot(directory);
  const holder = path.join(subvolume, SNAPSHOT_HOLDER, jobId);
  const snapshot = path.join(holder, `replication_to_bucket_${bucket}`);
  try {
    await fs.mkdir(holder, { recursive: true });
    await run("btrfs", ["subvolume", "snapshot", "-r", subvolume, snapshot]);
  } catch (error) {
    await fs.rm(holder, { recursive: true, force: true }).catch(() => undefined);
    return live(`btrfs snapshot failed: ${describe(error)}`);
  }
  return {
    root: path.join(snapshot, path.relative(subvolume, directory)),
    mode: "snapshot",
    detail: `read-only btrfs snapshot ${snapshot}`,
    release: async () => {
      await run("btrfs", ["subvolume", "delete", snapshot]).catch(() => undefined);
      await fs.rm(holder, { recursive: true, force: true });
      await fs.rmdir(path.dirname(holder)).catch(() => undefined);
    },
  };
}

async function findSubvolumeRoot(directory: string): Promise<string> {
  let current = directory;
  for (;;) {
    const stat = await fs.stat(current, { bigint: true });
    if (stat.ino === BTRFS_SUBVOLUME_ROOT_INO) return current;
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

function describe(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(error)).trim().split("\n")[0]!;
}
