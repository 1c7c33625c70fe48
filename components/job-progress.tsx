import { describeProgress } from "@/lib/format";
import type { RelationshipStatus } from "@/lib/replication/views";

type CurrentJob = NonNullable<RelationshipStatus["current_job"]>;

/**
 * A running job's progress bar and its line of text, the same in the list and on the details
 * page. While the totals are still counted the bar has no value (it pulses) and the text says
 * what is done so far.
 */
export function JobProgress({
  direction,
  job,
  label,
  size = "small",
}: {
  direction: RelationshipStatus["direction"];
  job: CurrentJob;
  /** The bar's accessible name, e.g. "Progress of /projects/a/". */
  label: string;
  size?: "small" | "large";
}) {
  const percent = job.job_progress.percent_complete;
  const text = describeProgress({ direction }, job);
  return (
    <div className="flex min-w-0 flex-col gap-1" data-testid="job-progress">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
        className={`${size === "large" ? "h-3" : "h-2"} w-full overflow-hidden rounded bg-slate-200`}
      >
        {percent === null ? (
          <div className="h-full w-full animate-pulse bg-blue-200" />
        ) : (
          <div className="h-full bg-blue-600 transition-all" style={{ width: `${percent}%` }} />
        )}
      </div>
      <span className={size === "large" ? "text-sm text-slate-700" : "text-xs text-slate-600"}>{text}</span>
    </div>
  );
}
