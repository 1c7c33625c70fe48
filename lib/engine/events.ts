import type { ReadMode } from "@/lib/progress/fields";
import type { SkipReason } from "./decide";

/** What the engine reports; progress, logs and the database listen, the transfer loop does not know them. */
export type EngineEvent =
  | { type: "mode"; mode: ReadMode; detail: string }
  | { type: "totals"; files: bigint; bytes: bigint }
  | { type: "bytes-moved"; bytes: number }
  | { type: "file-transferred"; path: string; size: bigint; multipart: boolean }
  | { type: "file-copied-server-side"; path: string; source: string; size: bigint }
  | { type: "file-unchanged"; path: string; size: bigint; how: "fingerprint" | "verified-hash" | "adopted" }
  | { type: "file-skipped"; path: string; reason: SkipReason }
  | { type: "file-failed"; path: string; size: bigint; message: string }
  | { type: "file-reread"; path: string; attempt: number }
  | { type: "retry"; path: string; operation: string; attempts: number }
  | { type: "multipart-aborted"; path: string; uploadId: string; reason: string }
  /** An upload left unfinished by an earlier job, continued: these parts were not sent again. */
  | { type: "multipart-resumed"; path: string; partsReused: number }
  /** A duplicate upload that a lost reply to CreateMultipartUpload left behind, aborted. */
  | { type: "orphan-upload-aborted"; path: string; uploadId: string }
  /** Temporary files of an earlier job that was killed, removed before this one started. */
  | { type: "leftovers-removed"; count: number };

export type EngineListener = (event: EngineEvent) => void;
