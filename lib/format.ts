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

/** Time left until an RFC 3339 instant, as "1h2m" or "3m4s"; "--" when unknown. */
/** One line for a running job: what is left, how fast, and when it ends; honest while totals are unknown. */
export function describeProgress(
  status: Pick<RelationshipStatus, "direction">,
  job: NonNullable<RelationshipStatus["current_job"]>,
): string {
  const p = job.job_progress;
  if (p.percent_complete === null)
    return status.direction === "COPY_FROM_OBJECT" ? "Listing the folder…" : "Counting files…";
  return `${p.percent_complete.toFixed(1)}% · ${formatBytes(Number(p.bytes_remaining))} and ${p.files_remaining} files left · ${formatBytes(p.throughput_current)}/s · ${formatTimeLeft(job.estimated_end_time)} left`;
}

export function formatTimeLeft(estimated: string, now = Date.now()): string {
  if (!estimated) return "--";
  const seconds = Math.max(0, Math.round((Date.parse(estimated) - now) / 1000));
  return seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`
    : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}
