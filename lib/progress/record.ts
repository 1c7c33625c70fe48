import type { Job } from "@/generated/prisma/client";
import { progressEntries, type AnyField, type ProgressColumns, type ProgressSnapshot, type ReadMode } from "./fields";

const READ_MODES: ReadonlyArray<string | null> = ["snapshot", "stable-read"] satisfies ReadMode[];

function initialValue(field: AnyField): unknown {
  switch (field.kind) {
    case "flag":
      return false;
    case "count":
    case "total":
      return 0n;
    case "rate":
      return 0;
    case "time":
    case "readMode":
      return null;
    case "json":
      return field.parse(field.empty);
  }
}

/** A new job's record: everything zero, nothing known. */
export function emptyProgress(): ProgressSnapshot {
  return Object.fromEntries(progressEntries.map(([name, field]) => [name, initialValue(field)])) as ProgressSnapshot;
}

/** What the worker writes to the job's row. */
export function progressColumns(s: ProgressSnapshot): ProgressColumns {
  return Object.fromEntries(
    progressEntries.map(([name, field]) => [field.column, field.kind === "json" ? JSON.stringify(s[name]) : s[name]]),
  ) as ProgressColumns;
}

/** The record a job's row holds; each JSON column is parsed here, once. */
export function progressOf(job: Job): ProgressSnapshot {
  return Object.fromEntries(
    progressEntries.map(([name, field]) => {
      const stored = job[field.column];
      if (field.kind === "json") return [name, field.parse(stored as string)];
      if (field.kind === "readMode") return [name, READ_MODES.includes(stored as string | null) ? stored : null];
      return [name, stored];
    }),
  ) as ProgressSnapshot;
}
