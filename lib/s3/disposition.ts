/**
 * What a failure means for a job: `retry` (the content or the listing changed under the step that
 * met it, which makes it again: a large file's upload reads the file again, and keeps no upload
 * for resume, up to the attempts a stable read allows, then fails the file; a file that grew
 * past a small file's size is sent the large files' way; an unsorted listing is made again,
 * whole), `per-file` (recorded against the file, the job goes on) or `fatal` (the job ends).
 */
export type Disposition = "retry" | "fatal" | "per-file";

/** A failure that says, where it is raised, what it means for the job. */
export class DispositionError extends Error {
  constructor(
    readonly disposition: Disposition,
    message: string,
  ) {
    super(message);
  }
}

/** The disposition a failure carries, if any (errors from below lib/s3 carry it as a plain property). */
export function carriedDisposition(error: unknown): Disposition | undefined {
  const carried = (error as { disposition?: unknown } | null)?.disposition;
  return carried === "retry" || carried === "fatal" || carried === "per-file" ? carried : undefined;
}
