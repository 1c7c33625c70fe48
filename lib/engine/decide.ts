import { sameFingerprint } from "./fingerprint";
import type { LocalEntry } from "./walk";
import type { RemoteObject } from "./remote-listing";
import { etagTag, type TrackedFile } from "./tracking-store";

export const MAX_KEY_BYTES = 1024;
export const MAX_OBJECT_BYTES = 5n * 1024n ** 4n;

export type SkipReason =
  | "symlink"
  | "fifo"
  | "socket"
  | "device"
  | "hard-link-to-non-regular"
  | "unknown-type"
  /** Deleted between the listing and the read. */
  | "vanished";

export type Decision =
  | { action: "skip-unsupported"; reason: SkipReason }
  | { action: "error"; reason: string }
  | { action: "skip-unchanged" }
  /** The fingerprint moved but the object is still the tracked one: hash, and send only if the content differs. */
  | { action: "verify-then-upload" }
  /** No tracking row, an object of the same size exists: adopt it when its sha256 metadata matches. */
  | { action: "adopt-or-upload" }
  | { action: "copy-from-link"; sourceKey: string }
  | { action: "upload" };

export interface DecisionInput {
  entry: LocalEntry;
  key: string;
  tracked?: TrackedFile;
  remote?: RemoteObject;
  /** The key of the first path of this inode in this job, when this path is a further hard link. */
  linkSourceKey?: string;
}

/** The whole transfer decision in one place; every outcome feeds one counter. */
export function decide({ entry, key, tracked, remote, linkSourceKey }: DecisionInput): Decision {
  if (entry.error) return { action: "error", reason: entry.error };
  if (entry.kind !== "file" || !entry.stat) return { action: "skip-unsupported", reason: skipReason(entry) };
  const stat = entry.stat;
  const keyBytes = Buffer.byteLength(key, "utf8");
  if (keyBytes >= MAX_KEY_BYTES) {
    return {
      action: "error",
      reason: `key is ${keyBytes} bytes of UTF-8; S3 keys must be shorter than ${MAX_KEY_BYTES}`,
    };
  }
  if (stat.size > MAX_OBJECT_BYTES)
    return { action: "error", reason: `file is ${stat.size} bytes; S3 objects may not exceed 5 TiB` };

  const remoteIsTracked =
    !!tracked && !!remote && remote.size === tracked.size && etagTag(remote.etag) === tracked.etagTag;
  if (remoteIsTracked && sameFingerprint(stat, tracked!)) return { action: "skip-unchanged" };
  if (linkSourceKey !== undefined) return { action: "copy-from-link", sourceKey: linkSourceKey };
  if (remoteIsTracked && stat.size === tracked!.size) return { action: "verify-then-upload" };
  if (!tracked && remote && remote.size === stat.size) return { action: "adopt-or-upload" };
  return { action: "upload" };
}

function skipReason(entry: LocalEntry): SkipReason {
  if (entry.stat && entry.stat.nlink > 1n) return "hard-link-to-non-regular";
  switch (entry.kind) {
    case "symlink":
      return "symlink";
    case "fifo":
      return "fifo";
    case "socket":
      return "socket";
    case "block-device":
    case "char-device":
      return "device";
    default:
      return "unknown-type";
  }
}
