import fs from "node:fs/promises";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { validationError } from "@/lib/errors";

export interface LocalDirectory {
  /** Absolute host path after resolving `..` and symlinks. */
  hostPath: string;
  /** The path as users see it: absolute within SHIFT_FS_ROOT, with one trailing "/". */
  namespacePath: string;
  /** Inode number as a decimal string. */
  inode: string;
  /** Birth time in ns as a decimal string; null where the file system keeps none. */
  birthNs: string | null;
}

const FIELD_PATH = "local_directory_path";
const FIELD_ID = "local_directory_id";

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export function toNamespacePath(realRoot: string, hostPath: string): string {
  const relative = path.relative(realRoot, hostPath).split(path.sep).join("/");
  return relative === "" ? "/" : `/${relative}/`;
}

/** Resolves a namespace path (e.g. `/projects/a/`) to a directory that lies inside the root. */
export async function resolveLocalDirectoryPath(
  namespacePath: string,
  root = getConfig().fsRoot,
): Promise<LocalDirectory> {
  if (!namespacePath.startsWith("/")) {
    throw validationError(
      FIELD_PATH,
      `"${namespacePath}" must be absolute within the local namespace (start with "/").`,
    );
  }
  if (namespacePath.includes("\0")) throw validationError(FIELD_PATH, "the path contains a NUL character.");
  const realRoot = await fs.realpath(root);
  const joined = path.join(realRoot, namespacePath);
  let hostPath: string;
  try {
    hostPath = await fs.realpath(joined);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!isInside(realRoot, path.resolve(joined))) {
      throw validationError(FIELD_PATH, `"${namespacePath}" lies outside the local namespace.`);
    }
    if (code === "ENOENT") throw validationError(FIELD_PATH, `"${namespacePath}" does not exist.`);
    if (code === "ENOTDIR") throw validationError(FIELD_PATH, `"${namespacePath}" is not a directory.`);
    if (code === "EACCES") throw validationError(FIELD_PATH, `"${namespacePath}" cannot be read (permission denied).`);
    throw validationError(FIELD_PATH, `"${namespacePath}" cannot be resolved (${code ?? "unknown error"}).`);
  }
  if (!isInside(realRoot, hostPath)) {
    throw validationError(FIELD_PATH, `"${namespacePath}" resolves outside the local namespace.`);
  }
  const stat = await fs.stat(hostPath, { bigint: true });
  if (!stat.isDirectory()) throw validationError(FIELD_PATH, `"${namespacePath}" is not a directory.`);
  return {
    hostPath,
    namespacePath: toNamespacePath(realRoot, hostPath),
    inode: stat.ino.toString(),
    birthNs: stat.birthtimeNs > 0n ? stat.birthtimeNs.toString() : null,
  };
}

/**
 * The host path of a stored relationship's directory, joined without resolving anything below
 * the root: a job opens it from there one component at a time and follows no link, so a
 * component swapped for a link since the relationship was made is refused, not followed.
 */
export async function jobDirectoryPath(namespacePath: string, root = getConfig().fsRoot): Promise<string> {
  const parts = namespacePath.split("/").filter((p) => p !== "");
  if (!namespacePath.startsWith("/") || parts.some((p) => p === "." || p === ".." || p.includes("\0"))) {
    throw new Error(`"${namespacePath}" is not a namespace path`);
  }
  return path.join(await fs.realpath(root), ...parts);
}

/** Finds the directory with the given inode number by walking the namespace breadth first. */
export async function resolveLocalDirectoryId(id: string, root = getConfig().fsRoot): Promise<LocalDirectory> {
  if (!/^\d{1,20}$/.test(id)) throw validationError(FIELD_ID, `"${id}" is not an inode number.`);
  const wanted = BigInt(id);
  const realRoot = await fs.realpath(root);
  const rootStat = await fs.stat(realRoot, { bigint: true });
  const queue = [realRoot];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const stat = await fs.lstat(dir, { bigint: true });
    // Stay on the root's file system: inode numbers are only unique within one.
    if (stat.dev !== rootStat.dev) continue;
    if (stat.ino === wanted) {
      // Found by walking paths that may have changed meanwhile: resolved again, it must still lie inside and be this directory.
      const found = await resolveLocalDirectoryPath(toNamespacePath(realRoot, dir), root);
      if (found.inode !== id)
        throw validationError(FIELD_ID, `the directory with inode ${id} moved while it was looked up; try again.`);
      return found;
    }
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) queue.push(path.join(dir, entry.name));
  }
  throw validationError(FIELD_ID, `no directory with inode ${id} exists in the local namespace.`);
}
