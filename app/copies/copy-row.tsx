"use client";

import Link from "next/link";
import { ClampedText } from "@/components/clamped-text";
import { JobProgress } from "@/components/job-progress";
import { finishedState, outcomeLabel } from "@/lib/format";
import { endpointOf, lastRunTime } from "@/lib/replication/filter-statuses";
import type { RelationshipStatus } from "@/lib/replication/views";
import { Moment } from "@/components/moment";
import { RowActions } from "./row-actions";

/** The columns' names, which each cell also carries for the phone's cards (see globals.css). */
export const COLUMN = {
  direction: "Direction",
  directory: "Local directory",
  bucket: "Bucket / folder",
  endpoint: "Endpoint",
  state: "State",
  lastRun: "Last run",
  lastSuccess: "Last success",
  actions: "Actions",
} as const;

const CELL = "py-3 pr-4";

export function CopyRow({ status, canWrite }: { status: RelationshipStatus; canWrite: boolean }) {
  const pathId = `path-${status.id}`;
  return (
    <tr className="border-b border-slate-200 align-top" data-testid={`relationship-${status.id}`}>
      <td data-label={COLUMN.direction} className={`${CELL} whitespace-nowrap`}>
        {status.direction === "COPY_TO_OBJECT" ? "Local ⇨ Remote" : "Local ⇦ Remote"}
      </td>
      <td data-label={COLUMN.directory} className={CELL}>
        <ClampedText text={status.local_directory_path} lines={3} label="directory" className="max-w-xs font-mono">
          <Link id={pathId} href={`/copies/${status.id}`} className="text-blue-800 underline">
            {status.local_directory_path}
          </Link>
        </ClampedText>
      </td>
      <td data-label={COLUMN.bucket} className={`${CELL} sm:min-w-40`}>
        <ClampedText
          text={`${status.bucket}/${status.object_folder}`}
          lines={2}
          label="bucket and folder"
          className="max-w-xs font-mono"
        />
      </td>
      <td data-label={COLUMN.endpoint} className={`${CELL} sm:min-w-52`}>
        <ClampedText text={endpointOf(status)} lines={2} label="endpoint" className="font-mono" />
      </td>
      <td data-label={COLUMN.state} className={CELL}>
        <State status={status} />
      </td>
      <td data-label={COLUMN.lastRun} className={`${CELL} sm:whitespace-nowrap`}>
        <Moment time={lastRunTime(status)} empty="never" />
      </td>
      <td data-label={COLUMN.lastSuccess} className={`${CELL} sm:whitespace-nowrap`}>
        <Moment time={status.last_success_time} empty="never" />
      </td>
      {canWrite && (
        <td data-label={COLUMN.actions} className="py-3">
          <RowActions status={status} describedBy={pathId} />
        </td>
      )}
    </tr>
  );
}

/** The state in the console's words, with a running job's progress or the last job's error under it. */
function State({ status }: { status: RelationshipStatus }) {
  const job = status.current_job;
  if (job)
    return (
      <div className="flex max-w-xs min-w-40 flex-col gap-1">
        <span>{outcomeLabel(job.job_state)}</span>
        <JobProgress direction={status.direction} job={job} label={`Progress of ${status.local_directory_path}`} />
      </div>
    );
  const last = status.last_job;
  if (!last) return <span className="text-slate-600">Never run</span>;
  return (
    <div className="flex max-w-xs flex-col gap-1">
      <span>{outcomeLabel(finishedState(last), last.job_progress.files_failed)}</span>
      {last.error && last.outcome !== "SUCCEEDED" && (
        <ClampedText text={last.error} lines={2} label="error" className="text-xs text-red-700" />
      )}
    </div>
  );
}
