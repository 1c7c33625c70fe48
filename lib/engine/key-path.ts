import type { RemoteObject } from "./remote-listing";

/** Storage classes whose objects must be restored before they can be read. */
export const ARCHIVAL_STORAGE_CLASSES: ReadonlySet<string> = new Set(["GLACIER", "DEEP_ARCHIVE"]);

const NAME_MAX_BYTES = 255;
/** The name file systems reserve for their own snapshots (NetApp, Isilon, Qumulo …). */
const RESERVED_COMPONENT = ".snapshot";

export type KeyPlacement =
  /** A zero-byte "…/" key: the directory it names is created. */
  | { kind: "directory"; relPath: string }
  | { kind: "file"; relPath: string }
  /** The folder's own marker (the key equals the folder): nothing to place. */
  | { kind: "none" }
  | { kind: "refused"; reason: string };

/**
 * Where an object lands under the local directory, or why it cannot land anywhere. The rules
 * are deliberately strict: a key is placed only when its path, taken literally, names a file
 * inside the directory — so no key, however written, can reach outside it.
 */
export function placeKey(object: RemoteObject): KeyPlacement {
  const { relPath, size } = object;
  if (relPath === "")
    return size === 0n ? { kind: "none" } : { kind: "refused", reason: "is the folder itself yet holds data" };
  if (relPath.includes("\0")) return { kind: "refused", reason: "contains a NUL character" };
  const isMarker = relPath.endsWith("/");
  if (isMarker && size > 0n) return { kind: "refused", reason: `ends with "/" yet holds ${size} bytes` };
  if (relPath.startsWith("/"))
    return { kind: "refused", reason: 'starts with "/" after the folder (an empty path component)' };
  const components = (isMarker ? relPath.slice(0, -1) : relPath).split("/");
  if (components.some((c) => c === "")) return { kind: "refused", reason: 'contains "//" (an empty path component)' };
  if (components.some((c) => c === "." || c === ".."))
    return { kind: "refused", reason: 'has a "." or ".." path component' };
  if (components.includes(RESERVED_COMPONENT))
    return { kind: "refused", reason: `has a "${RESERVED_COMPONENT}" path component` };
  if (components.some((c) => Buffer.byteLength(c, "utf8") > NAME_MAX_BYTES)) {
    return { kind: "refused", reason: `has a path component longer than ${NAME_MAX_BYTES} bytes` };
  }
  return { kind: isMarker ? "directory" : "file", relPath: isMarker ? relPath.slice(0, -1) : relPath };
}

/** Why an object cannot be read now, judging by its listing entry. */
export function storageClassRefusal(object: RemoteObject): string | undefined {
  if (object.storageClass && ARCHIVAL_STORAGE_CLASSES.has(object.storageClass)) {
    return `is in the archival storage class ${object.storageClass}; restore it before copying`;
  }
  return undefined;
}
