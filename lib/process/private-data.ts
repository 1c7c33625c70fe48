import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { dataDirectory } from "@/lib/data-paths";

/** New files of the processes that only write the service's own data: readable by the owner alone. */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes the data directory 0700 and takes the group and other bits off everything in it (files
 * 0600 at most), so a database, log or tracking file an older version left readable is closed
 * too. The local namespace, when it lies inside, is left alone: its files belong to the share's
 * users, who keep the right to pass through the directories above it (0711: they can reach it,
 * but list and read nothing else). Links are never followed (each entry is opened with O_NOFOLLOW and changed through
 * its descriptor), so nothing outside the directory can be reached this way.
 */
export function makeDataDirPrivate(): void {
  const directory = dataDirectory();
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  // The directory itself may be a link an administrator made (data -> /srv/...): that one is followed.
  tighten(fs.realpathSync(directory), realOrResolved(getConfig().fsRoot));
}

function realOrResolved(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function tighten(entry: string, fsRoot: string): void {
  if (entry === fsRoot) return;
  let fd: number;
  try {
    fd = fs.openSync(entry, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return; // a link, a socket, or gone meanwhile
  }
  let isDirectory: boolean;
  try {
    const stat = fs.fstatSync(fd);
    isDirectory = stat.isDirectory();
    if (stat.isFile() || isDirectory) {
      const above = isDirectory && fsRoot.startsWith(entry + path.sep);
      const mode = (stat.mode & 0o7777 & ~0o077) | (above ? 0o011 : 0);
      if (mode !== (stat.mode & 0o7777)) fs.fchmodSync(fd, mode);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (!isDirectory) return;
  for (const name of fs.readdirSync(entry)) tighten(path.join(entry, name), fsRoot);
}

/** Creates `file` as an empty 0600 file unless it exists, so that SQLite, which gives its -wal and -shm files the database's mode, keeps them private too. */
export function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600));
}
