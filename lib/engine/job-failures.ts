import { classifyS3Error } from "@/lib/s3/classify-error";
import { carriedDisposition, type Disposition } from "@/lib/s3/disposition";
import type { ReadMode } from "@/lib/progress/fields";

/** COMPLETED_WITH_ERRORS: the job went through every entry but some files could not be copied. */
export type JobOutcome = "SUCCEEDED" | "FAILED" | "COMPLETED_WITH_ERRORS" | "ABORTED";

export interface CopyResult {
  outcome: JobOutcome;
  error: string;
  /** How a copy-to-S3 job read its directory; null for a copy from S3. */
  readMode: ReadMode | null;
}

const FIRST_FAILED_PATHS = 3;

/**
 * What went wrong in one job: per-file failures (counted, the first few named) and at most one
 * fatal error (the first wins, the rest are its consequences). Turns them into the job's outcome.
 */
export class JobFailures {
  private readonly firstPaths: string[] = [];
  private count = 0;
  private fatalMessage?: string;

  constructor(private readonly noun: { one: string; many: string; verb: string }) {}

  get fatal(): string | undefined {
    return this.fatalMessage;
  }

  noteFile(name: string): void {
    this.count++;
    if (this.firstPaths.length < FIRST_FAILED_PATHS) this.firstPaths.push(name);
  }

  setFatal(message: string): void {
    this.fatalMessage ??= message;
  }

  outcome(stopped: boolean): { outcome: JobOutcome; error: string } {
    if (this.fatalMessage) return { outcome: "FAILED", error: this.fatalMessage };
    if (stopped) return { outcome: "ABORTED", error: "The job was stopped before it finished." };
    if (this.count > 0)
      return { outcome: "COMPLETED_WITH_ERRORS", error: filesFailedMessage(this.count, this.firstPaths, this.noun) };
    return { outcome: "SUCCEEDED", error: "" };
  }
}

/** "3 files could not be copied: "a", "b", … (see the job's file errors)." */
export function filesFailedMessage(
  count: number,
  firstPaths: readonly string[],
  noun: { one: string; many: string; verb: string },
): string {
  const shown = firstPaths
    .slice(0, FIRST_FAILED_PATHS)
    .map((p) => `"${p}"`)
    .join(", ");
  const more = count > Math.min(firstPaths.length, FIRST_FAILED_PATHS) ? ", …" : "";
  return `${count} ${count === 1 ? noun.one : noun.many} could not be ${noun.verb}: ${shown}${more} (see the job's file errors).`;
}

const FS_SYSCALLS = new Set([
  "open",
  "read",
  "write",
  "stat",
  "lstat",
  "fstat",
  "close",
  "scandir",
  "opendir",
  "statfs",
  "mkdir",
  "rename",
  "unlink",
  "futime",
  "utime",
  "fsync",
  "fdatasync",
  "ftruncate",
]);

/** Errors that end every later write as well: stopping at once beats a thousand per-file errors. */
const FATAL_FS_CODES = new Set(["ENOSPC", "EDQUOT", "EROFS"]);

function isLocalFsError(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException;
  return typeof e?.syscall === "string" && FS_SYSCALLS.has(e.syscall) && typeof e.path === "string";
}

function isFatalLocalError(error: unknown): boolean {
  return isLocalFsError(error) && FATAL_FS_CODES.has((error as NodeJS.ErrnoException).code ?? "");
}

/**
 * What a failure means for the job: the disposition it carries where it was raised; for a local
 * file system call, per-file unless every later write would fail too; otherwise the store's
 * classification.
 */
export function dispositionOf(error: unknown): Disposition {
  const carried = carriedDisposition(error);
  if (carried) return carried;
  if (isLocalFsError(error)) return isFatalLocalError(error) ? "fatal" : "per-file";
  return classifyS3Error(error).disposition;
}

/** The message a file's failure is recorded with, for a failure that is not the store's. */
export function localFailureMessage(error: unknown): string | undefined {
  return carriedDisposition(error) || isLocalFsError(error) ? describeError(error) : undefined;
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.syscall && e.code) return `${e.code}: cannot ${e.syscall} the file`;
  return e instanceof Error ? e.message : String(error);
}

/** The job-level message for an error that is not about one file. */
export function fatalMessage(error: unknown, localWhat: string): string {
  if (isLocalFsError(error)) return `The local directory cannot be ${localWhat} (${describeError(error)}).`;
  const classified = classifyS3Error(error);
  return classified.kind !== "other"
    ? capitalise(classified.message) + "."
    : `The job failed: ${describeError(error)}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
