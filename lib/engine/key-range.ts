import { compareUtf8 } from "./key-order";

/**
 * A slice of a job's keys (relative to the directory or folder): from `lower` (included) to
 * `upper` (excluded; absent: to the end), in UTF-8 byte order. A work unit runs one.
 */
export interface KeyRange {
  lower: string;
  upper?: string;
}

export function inRange(key: string, range: KeyRange | undefined): boolean {
  if (!range) return true;
  return compareUtf8(key, range.lower) >= 0 && (range.upper === undefined || compareUtf8(key, range.upper) < 0);
}

/**
 * Whether no key below a directory (every key that starts with `prefix`, its path and "/") can
 * be in the range: its subtree is then never entered.
 */
export function subtreeOutside(prefix: string, range: KeyRange | undefined): boolean {
  if (!range) return false;
  if (range.upper !== undefined && compareUtf8(prefix, range.upper) >= 0) return true;
  // Below `lower` unless `lower` itself starts with the prefix: the two then differ within the
  // prefix, and every key that starts with it sorts before `lower`.
  return compareUtf8(prefix, range.lower) < 0 && !range.lower.startsWith(prefix);
}

/** The first key after `key`: no key holds a NUL. */
export function keyAfter(key: string): string {
  return `${key}\u0000`;
}
