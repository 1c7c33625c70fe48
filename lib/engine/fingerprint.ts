import type { BigIntStats } from "node:fs";

/**
 * What tells a file's version apart without reading it (restic's `fileChanged`): any write moves
 * mtime or ctime, a replacement moves the inode. Stats, tracking rows and pending uploads all carry it.
 */
export interface Fingerprint {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

/** A stat's fingerprint, as tracking rows and pending uploads keep it. */
export function fingerprintOf(stat: BigIntStats): Fingerprint {
  return { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino };
}
