import type { BigIntStats } from "node:fs";
import type { RemoteObject } from "./remote-listing";
import { etagTag, type TrackedFile } from "./tracking-store";

export type DownloadDecision =
  | { action: "skip-unchanged" }
  /** The object is the tracked one but the local file's metadata moved: hash it, download only if it differs. */
  | { action: "verify-then-download" }
  /** No usable tracking row and a local file of the object's size: keep it if its content proves equal. */
  | { action: "adopt-or-download" }
  | { action: "download" };

/** Nanoseconds since the epoch of the object's last-modified time, the mtime its local file is given. */
export function lastModifiedNs(object: RemoteObject): bigint | undefined {
  return object.lastModified ? BigInt(object.lastModified.getTime()) * 1_000_000n : undefined;
}

/**
 * The download decision in one place. A downloaded file's mtime is set to the object's
 * last-modified time, so the tracked mtime answers both "is the object still the one we
 * fetched?" (with its ETag and size) and "is the local file untouched since?" (with ctime,
 * inode and size).
 */
export function decideDownload(object: RemoteObject, tracked: TrackedFile | undefined, local: BigIntStats | null): DownloadDecision {
  if (!local) return { action: "download" };
  const objectIsTracked =
    !!tracked &&
    tracked.size === object.size &&
    tracked.etagTag === etagTag(object.etag) &&
    (lastModifiedNs(object) ?? tracked.mtimeNs) === tracked.mtimeNs;
  if (objectIsTracked) {
    const untouched =
      local.size === tracked.size && local.mtimeNs === tracked.mtimeNs && local.ctimeNs === tracked.ctimeNs && local.ino === tracked.ino;
    if (untouched) return { action: "skip-unchanged" };
    if (local.size === tracked.size) return { action: "verify-then-download" };
    return { action: "download" };
  }
  return local.size === object.size ? { action: "adopt-or-download" } : { action: "download" };
}
