import Link from "next/link";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import {
  durationBetween,
  formatBytes,
  formatCount,
  formatDuration,
  formatElapsed,
  formatTime,
  outcomeLabel,
} from "@/lib/format";
import { getRelationshipStatus } from "@/lib/replication/get-relationship-status";
import { findLastSucceededJob, listRelationshipJobs } from "@/lib/replication/job-history";
import { listJobEntries } from "@/lib/replication/job-entries";
import { readLogEntries } from "@/lib/replication/replication-log";
import { ClampedText } from "@/components/clamped-text";
import { Breadcrumb } from "@/components/breadcrumb";
import { ConsoleHeader } from "@/components/console-header";
import { JobProgress } from "@/components/job-progress";
import { LiveRefresh } from "@/components/live-refresh";
import { EditCredentials } from "./edit-credentials";
import { RelationshipActions } from "./relationship-actions";
import { JobSummary } from "./job-summary";
import { ReplicationLog } from "./replication-log";
import { ThroughputChart } from "./throughput-chart";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { NoAccessPage } from "@/components/no-access-page";
import { requireSession } from "@/web/console-session";
import { Section } from "@/components/section";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";

/** The details page names the last job's first failures; its job page has them all. */
const FAILURES_SHOWN = 20;

export default async function CopyDetailsPage({ params }: { params: Promise<{ id: string }> }) {
  const { principal, header } = await requireSession();
  if (!hasPrivilege(principal, PRIVILEGES.REPLICATION_READ))
    return (
      <NoAccessPage
        header={header}
        title="Copy details"
        privilege={PRIVILEGES.REPLICATION_READ}
        what="A copy's details"
      />
    );
  const { id } = await params;
  let status;
  try {
    status = await getRelationshipStatus({ id });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  const [jobs, lastSuccess, log] = await Promise.all([
    listRelationshipJobs({ id }),
    findLastSucceededJob({ id }),
    readLogEntries({ id, lines: 100 }),
  ]);
  const fileErrors = status.last_job
    ? (await listJobEntries({ id, jobId: status.last_job.job_id, limit: FAILURES_SHOWN })).failed
    : [];
  const { canWrite } = header;
  const running = status.state === "REPLICATION_RUNNING";
  const current = status.current_job;
  const charted = current ?? status.last_job;
  const heading = `${status.local_directory_path} ${status.direction === "COPY_TO_OBJECT" ? "⇨" : "⇦"} ${status.bucket}/${status.object_folder}`;

  return (
    <>
      <ConsoleHeader {...header} />
      <LiveRefresh active={running} />
      <main className="mx-auto flex max-w-6xl flex-col gap-8 px-6 py-8">
        <div>
          <Breadcrumb trail={[{ label: "Copy to/from S3", href: "/copies" }, { label: "Details" }]} />
          <div className="flex flex-wrap items-start justify-between gap-4">
            {/* Two lines at most: the full path is under Configuration, and in the title. */}
            <h1 className="line-clamp-2 min-w-64 flex-1 text-2xl font-semibold break-all" title={heading}>
              {heading}
            </h1>
            {canWrite && (
              <div className="flex flex-col items-start gap-2">
                <RelationshipActions id={id} running={running} />
                <EditCredentials id={id} accessKeyId={status.access_key_id} />
              </div>
            )}
          </div>
          <JobSummary current={current} last={status.last_job} lastSuccess={lastSuccess} />
        </div>

        <Section title="Configuration">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
            {[
              ["Direction", status.direction === "COPY_TO_OBJECT" ? "Local ⇨ Remote" : "Local ⇦ Remote"],
              ["Local directory", `${status.local_directory_path} (inode ${status.local_directory_id})`],
              ["Bucket", status.bucket],
              ["Folder", status.object_folder || "(bucket root)"],
              ["Object store", `${status.object_store_address}:${status.port}`],
              ["Bucket style", status.bucket_style === "BUCKET_STYLE_PATH" ? "Path" : "Virtual hosted"],
              ["Region", status.region],
              ["Access key ID", status.access_key_id],
              ["CA certificate", status.ca_certificate ? "given" : "system trust store"],
            ].map(([label, value]) => (
              <div key={label} className="contents">
                <dt className="text-slate-600">{label}</dt>
                <dd className="min-w-0 font-mono">
                  <ClampedText text={value!} lines={4} label={label!.toLowerCase()} />
                </dd>
              </div>
            ))}
          </dl>
        </Section>

        <Section title="Current job">
          {current ? (
            <div className="flex flex-col gap-2" data-testid="current-job">
              <JobProgress
                direction={status.direction}
                job={current}
                label="Progress of the current job"
                size="large"
              />
              <p className="text-sm text-slate-600">
                Started {formatTime(current.start_time)} · {formatElapsed(current.start_time)} so far
              </p>
            </div>
          ) : (
            <p className="text-sm text-slate-600">No job is running.</p>
          )}
        </Section>

        {charted && (
          <Section title={current ? "Throughput of the current job" : "Throughput of the last job"}>
            <ThroughputChart
              series={charted.throughput_series}
              finished={
                status.last_job && !current
                  ? {
                      durationMs: durationBetween(status.last_job.start_time, status.last_job.end_time) ?? 0,
                      bytesMoved:
                        Number(status.last_job.job_progress.bytes_transferred) +
                        Number(status.last_job.job_progress.bytes_failed),
                    }
                  : undefined
              }
            />
          </Section>
        )}

        <Section title="Job history">
          {/* Focusable so that a keyboard can scroll the table sideways on a narrow screen. */}
          <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Job history table">
            <table className="w-full text-left text-sm">
              <TableHead
                columns={["Started", "Ended", "Took", "Outcome", "Copied", "Unchanged", "Failed", "Skipped", "Error"]}
              />
              <tbody>
                {jobs.map((job) => {
                  const took = durationBetween(job.start_time, job.end_time);
                  return (
                    <tr key={job.job_id} className="border-b border-slate-100 align-top" data-testid="job-row">
                      <td className="min-w-28 py-1 pr-4">{formatTime(job.start_time)}</td>
                      <td className="min-w-28 py-1 pr-4" data-testid="job-ended">
                        {job.end_time ? formatTime(job.end_time) : "—"}
                      </td>
                      <td className="py-1 pr-4 whitespace-nowrap" data-testid="job-took">
                        {took === null ? "—" : formatDuration(took)}
                      </td>
                      <td className="py-1 pr-4">
                        <Link href={`/copies/${id}/jobs/${job.job_id}`} className="text-blue-800 underline">
                          {outcomeLabel(job.state, job.job_progress.files_failed)}
                        </Link>
                      </td>
                      <td className="py-1 pr-4 whitespace-nowrap">
                        {formatCount(job.job_progress.files_transferred)} files,{" "}
                        {formatBytes(Number(job.job_progress.bytes_transferred))}
                      </td>
                      <td className="py-1 pr-4 whitespace-nowrap">
                        {formatCount(job.job_progress.files_unchanged)} files
                      </td>
                      <td className="py-1 pr-4">{formatCount(job.job_progress.files_failed)}</td>
                      <td className="py-1 pr-4">{formatCount(job.job_progress.entries_skipped)}</td>
                      <td className="py-1 text-red-700">
                        {job.error && <ClampedText text={job.error} lines={2} label="error" className="min-w-48" />}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Section>

        {status.last_job && fileErrors.length > 0 && (
          <Section title="Files the last job could not copy">
            <ul className="flex flex-col gap-1 text-sm" data-testid="last-job-failures">
              {fileErrors.map((e, index) => (
                <li key={index}>
                  <ClampedText text={`${e.path}: ${e.message}`} lines={2} label="failure" className="font-mono" />
                </li>
              ))}
            </ul>
            <p className="mt-3 text-sm">
              <Link href={`/copies/${id}/jobs/${status.last_job.job_id}`} className="text-blue-800 underline">
                All of this job&apos;s failed and skipped entries
              </Link>
            </p>
          </Section>
        )}

        <Section title="Replication log">
          <ReplicationLog entries={log} downloadHref={`/copies/${status.id}/log`} />
        </Section>
      </main>
    </>
  );
}
