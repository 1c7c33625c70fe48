import { finishedState, formatBytes, outcomeLabel, skipReasonWords } from "@/lib/format";
import type { RelationshipStatus } from "@/lib/replication/views";
import { formatCount, formatDuration } from "./units";

type LastJob = NonNullable<RelationshipStatus["last_job"]>;

/** One line for a person at the end of a job: "Succeeded: 1 unchanged, 0 sent, took 0.4 s". */
export function jobSummary(direction: string, job: LastJob): string {
  const p = job.job_progress;
  const verb = direction === "COPY_FROM_OBJECT" ? "downloaded" : "sent";
  const bytes = p.bytes_transferred !== "0" ? ` (${formatBytes(Number(p.bytes_transferred))})` : "";
  const parts = [`${formatCount(p.files_unchanged)} unchanged`, `${formatCount(p.files_transferred)} ${verb}${bytes}`];
  if (p.files_copied_server_side !== "0") parts.push(`${formatCount(p.files_copied_server_side)} copied server-side`);
  if (p.files_failed !== "0") parts.push(`${formatCount(p.files_failed)} failed`);
  if (p.entries_skipped !== "0") parts.push(`${formatCount(p.entries_skipped)} skipped (${skipped(p)})`);
  const took = Date.parse(job.end_time) - Date.parse(job.start_time);
  if (Number.isFinite(took)) parts.push(`took ${formatDuration(Math.max(0, took) / 1000)}`);
  return `${outcomeLabel(finishedState(job), p.files_failed)}: ${parts.join(", ")}`;
}

function skipped(p: LastJob["job_progress"]): string {
  return Object.entries(p.entries_skipped_by_reason)
    .map(([reason, count]) => skipReasonWords(reason, count))
    .join(", ");
}
