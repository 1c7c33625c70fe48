"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { RelationshipStatus } from "@/lib/replication/views";
import { JobProgress } from "@/components/job-progress";
import { TableHead } from "@/components/table-head";

type Status = RelationshipStatus;

/** The relationship list, polled every second so a running job is never more than ~1 s behind. */
export function RelationshipList() {
  const { data, error } = useQuery({
    queryKey: ["statuses"],
    queryFn: async (): Promise<Status[]> => {
      const response = await fetch("/v3/replication/object-relationships/status/", { cache: "no-store" });
      if (!response.ok) throw new Error(((await response.json()) as { description: string }).description);
      return response.json();
    },
    refetchInterval: 1000,
  });
  if (error)
    return (
      <p role="alert" className="text-red-700">
        {error.message}
      </p>
    );
  if (!data) return <p>Loading…</p>;
  if (data.length === 0) return <p className="text-slate-600">No copies yet.</p>;
  return (
    <table className="w-full border-collapse text-left text-sm">
      <TableHead columns={["Direction", "Local directory", "Bucket / folder", "State", "Progress"]} />
      <tbody>
        {data.map((status) => (
          <tr key={status.id} className="border-b border-slate-200 align-top" data-testid={`relationship-${status.id}`}>
            <td className="py-3 pr-4">{status.direction === "COPY_TO_OBJECT" ? "Local ⇨ Remote" : "Local ⇦ Remote"}</td>
            <td className="py-3 pr-4 font-mono">
              <Link href={`/copies/${status.id}`} className="text-blue-800 underline">
                {status.local_directory_path}
              </Link>
            </td>
            <td className="py-3 pr-4 font-mono">
              {status.bucket}/{status.object_folder}
            </td>
            <td className="py-3 pr-4">{stateLabel(status)}</td>
            <td className="py-3">
              <Progress status={status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function stateLabel(status: Status): string {
  if (status.state === "REPLICATION_RUNNING") return "Running";
  if (!status.last_job) return "Not running";
  return (
    { SUCCEEDED: "Succeeded", FAILED: "Failed", ABORTED: "Stopped", INTERRUPTED: "Interrupted" }[
      status.last_job.outcome
    ] ?? status.last_job.outcome
  );
}

function Progress({ status }: { status: Status }) {
  const job = status.current_job;
  if (!job)
    return status.last_job?.error ? (
      <span className="text-red-700">{status.last_job.error}</span>
    ) : (
      <span className="text-slate-500">—</span>
    );
  return (
    <div className="min-w-40 sm:min-w-64">
      <JobProgress direction={status.direction} job={job} label={`Progress of ${status.local_directory_path}`} />
    </div>
  );
}
