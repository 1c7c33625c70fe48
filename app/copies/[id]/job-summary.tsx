import {
  durationBetween,
  finishedState,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  outcomeVerb,
} from "@/lib/format";
import type { JobHistoryRow } from "@/lib/replication/job-history";
import type { RelationshipStatus } from "@/lib/replication/views";

type LastJob = NonNullable<RelationshipStatus["last_job"]>;

function took(job: { start_time: string; end_time: string }): string {
  return formatDuration(durationBetween(job.start_time, job.end_time) ?? 0);
}

/** "640 files (2.1 MiB) copied, 12 unchanged" */
function moved(progress: LastJob["job_progress"]): string {
  const parts = [
    `${formatCount(progress.files_transferred)} files (${formatBytes(Number(progress.bytes_transferred))}) copied`,
    `${formatCount(progress.files_unchanged)} unchanged`,
  ];
  if (progress.files_failed !== "0") parts.push(`${formatCount(progress.files_failed)} failed`);
  return parts.join(", ");
}

/**
 * The copy's state in a sentence or two, above everything else: how the last job ended and how
 * long it took, and when the copy last succeeded if that was not the last job.
 */
export function JobSummary({
  current,
  last,
  lastSuccess,
}: {
  current: RelationshipStatus["current_job"];
  last: RelationshipStatus["last_job"];
  lastSuccess: JobHistoryRow | null;
}) {
  const lines: string[] = [];
  if (current)
    lines.push(
      current.job_state === "QUEUED"
        ? "A job is queued and starts when the worker is free."
        : `A job is running since ${formatTime(current.start_time)}.`,
    );
  if (last) {
    const state = finishedState(last);
    const ending = `Last job ${outcomeVerb(state, last.job_progress.files_failed)} at ${formatTime(last.end_time || last.start_time)}, took ${took(last)}`;
    const wentThrough = state === "SUCCEEDED" || state === "COMPLETED_WITH_ERRORS";
    lines.push(wentThrough ? `${ending}: ${moved(last.job_progress)}.` : `${ending}.`);
    if (last.outcome !== "SUCCEEDED")
      lines.push(
        lastSuccess
          ? `Last success: ${formatTime(lastSuccess.end_time)}, took ${took(lastSuccess)}.`
          : "No job of this copy has succeeded yet.",
      );
  } else if (!current) lines.push("No job has run yet.");
  return (
    <div className="mt-2 flex flex-col gap-0.5 text-sm text-slate-700" data-testid="job-summary">
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}
