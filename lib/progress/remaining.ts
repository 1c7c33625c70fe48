import type { ProgressSnapshot } from "./fields";

/** The bytes of the files in `filesDone`. */
export function bytesDone(s: ProgressSnapshot): bigint {
  return s.bytesTransferred + s.bytesUnchanged + s.bytesCopiedServerSide + s.bytesFailed;
}

export function remainingBytes(s: ProgressSnapshot): bigint {
  const done = bytesDone(s);
  return s.bytesTotal > done ? s.bytesTotal - done : 0n;
}

/** Files finished one way or another: copied, found in place, copied server-side, or failed. */
export function filesDone(s: ProgressSnapshot): bigint {
  return s.filesTransferred + s.filesUnchanged + s.filesCopiedServerSide + s.filesFailed;
}

export function remainingFiles(s: ProgressSnapshot): bigint {
  const done = filesDone(s);
  return s.filesTotal > done ? s.filesTotal - done : 0n;
}

export function percentComplete(s: ProgressSnapshot): number | null {
  if (!s.totalsKnown) return null;
  if (s.bytesTotal === 0n)
    return s.filesTotal === 0n ? 100 : Number(((s.filesTotal - remainingFiles(s)) * 10000n) / s.filesTotal) / 100;
  return Number(((s.bytesTotal - remainingBytes(s)) * 10000n) / s.bytesTotal) / 100;
}
