/**
 * What a failure means for a job: `retry` (the step that met it tries again: the file is read
 * again, the listing made again; once its attempts are spent it concerns that one file),
 * `per-file` (recorded against the file, the job goes on) or `fatal` (the job ends).
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
