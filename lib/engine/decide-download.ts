import type { BigIntStats } from "node:fs";
import { sameFingerprint } from "./fingerprint";
import type { RemoteObject } from "./remote-listing";
import { etagTag, type TrackedFile } from "./tracking-store";

export type DownloadDecision =
  | { action: "skip-unchanged" }
  /** The object is the tracked one but the local file's metadata moved: hash it, download only if it differs. */
  | { action: "verify-then-download" }
  /** No usable tracking row and a local file of the object's size: keep it if its content proves equal. */
  | { action: "adopt-or-download" }
  | { action: "download" };

/**
 * Whether a file's mtime is the object's last-modified time (true when the listing gives none).
 * Listed times have millisecond precision; Node hands utimes() floating-point seconds, which
 * land a microsecond or so below the exact time (1795999599.123 s is set as …599.122999 s), so
 * the times are compared to the nearest millisecond. Compared exactly, about half of the files
 * of a store that lists milliseconds (Ceph RGW, AWS) were never tracked and hashed on every repeat.
 */
export function carriesObjectTime(mtimeNs: bigint, object: RemoteObject): boolean {
  if (!object.lastModified) return true;
  return (mtimeNs + 500_000n) / 1_000_000n === BigInt(object.lastModified.getTime());
}

/**
 * The download decision in one place. A downloaded file's mtime is set to the object's
 * last-modified time, so the tracked mtime answers both "is the object still the one we
 * fetched?" (with its ETag and size) and "is the local file untouched since?" (with ctime,
 * inode and size).
 */
export function decideDownload(
  object: RemoteObject,
  tracked: TrackedFile | undefined,
  local: BigIntStats | null,
): DownloadDecision {
  if (!local) return { action: "download" };
  const objectIsTracked =
    !!tracked &&
    tracked.size === object.size &&
    tracked.etagTag === etagTag(object.etag) &&
    carriesObjectTime(tracked.mtimeNs, object);
  if (objectIsTracked) {
    if (sameFingerprint(local, tracked)) return { action: "skip-unchanged" };
    if (local.size === tracked.size) return { action: "verify-then-download" };
    return { action: "download" };
  }
  return local.size === object.size ? { action: "adopt-or-download" } : { action: "download" };
}
