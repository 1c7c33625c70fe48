import { spawn } from "node:child_process";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import { DIRECTORY_FLAGS, fdPath, reopenDirectory, TreeHandle } from "@/lib/fs/beneath";
import type { ReadMode } from "@/lib/progress/fields";

const BTRFS_SUPER_MAGIC = 0x9123683e;
/** Every btrfs subvolume's root directory has this inode number. */
const BTRFS_SUBVOLUME_ROOT_INO = 256n;
export const SNAPSHOT_HOLDER = ".s3shift-snapshots";

export interface TreeView {
  /** Where to read the tree from: the snapshot's copy of the directory, or the directory itself. */
  tree: TreeHandle;
  mode: ReadMode;
  detail: string;
  release(): Promise<void>;
}

/**
 * A point-in-time view of the directory open as `live` (at `directory`): a read-only btrfs
 * snapshot when the directory is on btrfs and the snapshot can be made, otherwise the live tree
 * read in stable-read mode. The snapshot is made, read and removed through directory handles,
 * and the btrfs tool is handed them as file descriptors: a link swapped in anywhere on the way
 * (the holder lies in the subvolume, where the directory's users may write) is never followed.
 */
export async function openTreeView(
  live: TreeHandle,
  directory: string,
  bucket: string,
  jobId: string,
): Promise<TreeView> {
  const liveView = (detail: string): TreeView => ({ tree: live, mode: "stable-read", detail, release: async () => {} });
  const statfs = await fs.statfs(fdPath(live.rootFd)).catch(() => undefined);
  if (!statfs || statfs.type !== BTRFS_SUPER_MAGIC) return liveView("the file system cannot make snapshots");
  const subvolume = findSubvolumeRoot(live.rootFd);
  if (!subvolume) return liveView("the directory's btrfs subvolume could not be found");
  const { fd: subvolumeFd, depth } = subvolume;
  const subvolumePath = directory
    .split("/")
    .slice(0, depth === 0 ? undefined : -depth)
    .join("/");
  const relative = depth === 0 ? "" : directory.split("/").slice(-depth).join("/");
  const name = `replication_to_bucket_${bucket}`;
  const shown = `${subvolumePath}/${SNAPSHOT_HOLDER}/${jobId}/${name}`;
  let holderFd: number | undefined;
  try {
    holderFd = makeHolder(subvolumeFd, jobId);
    // In the tool's process, fd 3 is the holder and fd 4 the subvolume.
    await btrfs(["subvolume", "snapshot", "-r", "/proc/self/fd/4", `/proc/self/fd/3/${name}`], [holderFd, subvolumeFd]);
  } catch (error) {
    await removeHolder(subvolumeFd, holderFd, jobId);
    fsSync.closeSync(subvolumeFd);
    return liveView(`btrfs snapshot failed: ${describe(error)}`);
  }
  const release = async () => {
    await btrfs(["subvolume", "delete", `/proc/self/fd/3/${name}`], [holderFd]).catch(() => undefined);
    await removeHolder(subvolumeFd, holderFd, jobId);
    fsSync.closeSync(subvolumeFd);
  };
  try {
    // The snapshot holds the directory under the same inode; any other is not the directory opened live.
    const expectedIno = fsSync.fstatSync(live.rootFd, { bigint: true }).ino;
    const tree = TreeHandle.openBelow(holderFd, relative ? `${name}/${relative}` : name, {
      expectedIno,
      label: `${shown} (the snapshot of ${directory})`,
    });
    return {
      tree,
      mode: "snapshot",
      detail: `read-only btrfs snapshot ${shown}`,
      release: async () => {
        tree.close();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** The subvolume root above the directory (through "..", which no link can redirect) and how many levels up it is. */
function findSubvolumeRoot(rootFd: number): { fd: number; depth: number } | undefined {
  let fd = reopenDirectory(rootFd);
  for (let depth = 0; ; depth++) {
    const stat = fsSync.fstatSync(fd, { bigint: true });
    if (stat.ino === BTRFS_SUBVOLUME_ROOT_INO) return { fd, depth };
    const parent = fsSync.openSync(fdPath(fd, ".."), DIRECTORY_FLAGS);
    const parentStat = fsSync.fstatSync(parent, { bigint: true });
    fsSync.closeSync(fd);
    fd = parent;
    if (parentStat.dev !== stat.dev || parentStat.ino === stat.ino) {
      fsSync.closeSync(fd);
      return undefined;
    }
  }
}

/** Creates `<holder>/<jobId>` in the subvolume and opens it; a link in the holder's place is refused. */
function makeHolder(subvolumeFd: number, jobId: string): number {
  try {
    fsSync.mkdirSync(fdPath(subvolumeFd, SNAPSHOT_HOLDER), 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  let holder: number;
  try {
    holder = fsSync.openSync(fdPath(subvolumeFd, SNAPSHOT_HOLDER), DIRECTORY_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP" || code === "ENOTDIR")
      throw new Error(`${SNAPSHOT_HOLDER} in the subvolume is not a directory (a symbolic link is never followed)`, {
        cause: error,
      });
    throw error;
  }
  try {
    // The btrfs tool deletes a snapshot by path: no one else may be able to move things in the holder.
    const stat = fsSync.fstatSync(holder);
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
      throw new Error(
        `${SNAPSHOT_HOLDER} in the subvolume belongs to another user or can be written by others; it is not used`,
      );
    }
    fsSync.mkdirSync(fdPath(holder, jobId), 0o700);
    return fsSync.openSync(fdPath(holder, jobId), DIRECTORY_FLAGS);
  } finally {
    fsSync.closeSync(holder);
  }
}

async function removeHolder(subvolumeFd: number, holderFd: number | undefined, jobId: string): Promise<void> {
  if (holderFd !== undefined) fsSync.closeSync(holderFd);
  let holder: number;
  try {
    holder = fsSync.openSync(fdPath(subvolumeFd, SNAPSHOT_HOLDER), DIRECTORY_FLAGS);
  } catch {
    return;
  }
  try {
    await fs.rmdir(fdPath(holder, jobId)).catch(() => undefined);
  } finally {
    fsSync.closeSync(holder);
  }
  // The holder is removed once empty, unless someone else made it (it was then not used either).
  const stat = fsSync.lstatSync(fdPath(subvolumeFd, SNAPSHOT_HOLDER), { throwIfNoEntry: false });
  if (stat?.isDirectory() && stat.uid === process.getuid?.())
    await fs.rmdir(fdPath(subvolumeFd, SNAPSHOT_HOLDER)).catch(() => undefined);
}

/** Runs the btrfs tool with `fds` as its descriptors 3, 4, …; rejects with its first line of complaint. */
function btrfs(args: string[], fds: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("btrfs", args, { stdio: ["ignore", "ignore", "pipe", ...fds] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(stderr.trim() || `btrfs exited with ${code}`)),
    );
  });
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim().split("\n")[0]!;
}
