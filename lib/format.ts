import type { RelationshipStatus } from "@/lib/replication/views";
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

/** The largest binary unit a value reaches (at least B), for a chart's axis: [divisor, name]. */
export function byteUnitFor(bytes: number): [number, string] {
  let unit = 0;
  while (bytes >= 1024 ** (unit + 1) && unit < UNITS.length - 1) unit++;
  return [1024 ** unit, UNITS[unit]!];
}

/** A count as people read it: "4,004". Counts arrive as decimal strings (64-bit). */
export function formatCount(count: string | number | bigint): string {
  return BigInt(count).toLocaleString("en-US");
}

/** A length of time: "0.4 s", "14 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min${whole % 60 ? ` ${whole % 60} s` : ""}`;
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

/** An instant as the console shows it: "30 Nov 2026, 04:01:02 UTC". */
export function formatTime(rfc3339: string): string {
  const date = new Date(rfc3339);
  return `${date.toLocaleString("en-GB", { timeZone: "UTC", dateStyle: "medium", timeStyle: "medium" })} UTC`;
}

/** Milliseconds between two RFC 3339 instants; null when either is missing (a job not ended). */
export function durationBetween(start: string, end: string): number | null {
  if (!start || !end) return null;
  return Math.max(0, Date.parse(end) - Date.parse(start));
}

type CurrentJob = NonNullable<RelationshipStatus["current_job"]>;
type Direction = RelationshipStatus["direction"];

/** "about 40 s left", from the job's estimated end; never "0 s" while something remains. */
export function describeTimeLeft(job: CurrentJob, now = Date.now()): string {
  if (!job.estimated_end_time) return "time left not known yet";
  const ms = Date.parse(job.estimated_end_time) - now;
  if (ms < 1000) return "a few seconds left";
  if (ms < 60_000) return `about ${Math.round(ms / 1000)} s left`;
  return `${formatDuration(ms)} left`;
}

/**
 * One line for a running job. While the totals are still counted it says what is done so far;
 * then the share of the data, what is left (bytes and files), the rate and the time left.
 */
export function describeProgress(status: { direction: Direction }, job: CurrentJob, now = Date.now()): string {
  const p = job.job_progress;
  const pull = status.direction === "COPY_FROM_OBJECT";
  if (job.job_state === "QUEUED") return "Queued: starts when the worker is free…";
  if (p.percent_complete === null) {
    const files = BigInt(p.files_transferred) + BigInt(p.files_copied_server_side);
    const unchanged = BigInt(p.files_unchanged);
    if (files === 0n && unchanged === 0n) return pull ? "Listing the folder…" : "Counting files…";
    const done = [
      `${formatCount(files)} files, ${formatBytes(Number(p.bytes_transferred))} ${pull ? "received" : "sent"}`,
    ];
    if (unchanged > 0n) done.push(`${formatCount(unchanged)} unchanged`);
    return `${done.join(", ")} so far; ${pull ? "listing" : "counting"}…`;
  }
  return [
    `${p.percent_complete.toFixed(1)}% of the data`,
    `${formatBytes(Number(p.bytes_remaining))} and ${formatCount(p.files_remaining ?? 0)} files left`,
    `${formatBytes(p.throughput_current)}/s`,
    describeTimeLeft(job, now),
  ].join(" · ");
}

/** Time left until an RFC 3339 instant, as "1h2m" or "3m4s"; "--" when unknown. */
export function formatTimeLeft(estimated: string, now = Date.now()): string {
  if (!estimated) return "--";
  const seconds = Math.max(0, Math.round((Date.parse(estimated) - now) / 1000));
  return seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`
    : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

const OUTCOMES: Record<string, { label: string; verb: string }> = {
  QUEUED: { label: "Queued", verb: "is queued" },
  RUNNING: { label: "Running", verb: "is running" },
  SUCCEEDED: { label: "Succeeded", verb: "succeeded" },
  FAILED: { label: "Failed", verb: "failed" },
  COMPLETED_WITH_ERRORS: { label: "Completed with errors", verb: "completed with errors" },
  ABORTED: { label: "Stopped", verb: "was stopped" },
  INTERRUPTED: { label: "Interrupted", verb: "was interrupted" },
};

/** "1 error", "1,204 errors": what a job that completed with errors names in its outcome. */
function errorCount(filesFailed: string | number): string {
  const n = Number(filesFailed);
  return `${formatCount(filesFailed)} ${n === 1 ? "error" : "errors"}`;
}

/**
 * A finished job's state as the console names it: the API reports a job that completed with
 * errors as FAILED (SPEC §5.3) with completed_with_errors set.
 */
export function finishedState(job: { outcome: string; completed_with_errors?: boolean }): string {
  return job.completed_with_errors ? "COMPLETED_WITH_ERRORS" : job.outcome;
}

/**
 * A job's state in the console's words ("Stopped", not ABORTED); given the job's failed files, a
 * job that completed with errors says how many ("Completed with 1 error").
 */
export function outcomeLabel(state: string, filesFailed?: string | number): string {
  if (state === "COMPLETED_WITH_ERRORS" && filesFailed !== undefined)
    return `Completed with ${errorCount(filesFailed)}`;
  return OUTCOMES[state]?.label ?? asWords(state);
}

/** A state this version does not know still reads as words: "SOME_NEW_STATE" → "Some new state". */
function asWords(state: string): string {
  const words = state.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The same as a verb for a sentence: "succeeded", "was stopped", "completed with 3 errors". */
export function outcomeVerb(state: string, filesFailed?: string | number): string {
  if (state === "COMPLETED_WITH_ERRORS" && filesFailed !== undefined)
    return `completed with ${errorCount(filesFailed)}`;
  return OUTCOMES[state]?.verb ?? `ended (${asWords(state).toLowerCase()})`;
}

/** How long since an RFC 3339 instant: "12 s". */
export function formatElapsed(since: string, now = Date.now()): string {
  return formatDuration(now - Date.parse(since));
}

/** Each reason an entry is skipped, in words for one and for several. */
const SKIP_REASONS: Record<string, [string, string]> = {
  symlink: ["symbolic link", "symbolic links"],
  fifo: ["FIFO", "FIFOs"],
  socket: ["socket", "sockets"],
  device: ["device", "devices"],
  "hard-link-to-non-regular": ["hard link to a non-regular file", "hard links to non-regular files"],
  "unknown-type": ["entry of an unknown type", "entries of an unknown type"],
  vanished: ["file deleted during the job", "files deleted during the job"],
};

/** Why an entry was skipped, in words: "symbolic link", or "3 FIFOs" given a count. */
export function skipReasonWords(reason: string, count?: number | string): string {
  const plain = reason.replaceAll("-", " ");
  const [one, several] = SKIP_REASONS[reason] ?? [plain, plain];
  if (count === undefined) return one;
  return `${formatCount(count)} ${Number(count) === 1 ? one : several}`;
}
