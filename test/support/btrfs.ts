import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface BtrfsMount {
  mountPoint: string;
  unmount(): void;
}

/** Loop-mounts a fresh btrfs image, or says why this machine cannot (not root, no tools, no loop devices). */
export function mountBtrfs(): BtrfsMount | { unavailable: string } {
  if (process.getuid?.() !== 0) return { unavailable: "not running as root" };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-btrfs-"));
  const image = path.join(dir, "fs.img");
  const mountPoint = path.join(dir, "mnt");
  fs.mkdirSync(mountPoint);
  try {
    fs.writeFileSync(image, "");
    fs.truncateSync(image, 256 * 1024 * 1024);
    execFileSync("mkfs.btrfs", ["-q", image], { stdio: "pipe" });
    execFileSync("mount", ["-o", "loop", image, mountPoint], { stdio: "pipe" });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { unavailable: `cannot loop-mount btrfs here: ${(error as Error).message.split("\n")[0]}` };
  }
  return {
    mountPoint,
    unmount() {
      execFileSync("umount", [mountPoint], { stdio: "pipe" });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
