import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AppError } from "@/lib/errors";
import { describeProgress, formatBytes } from "@/lib/format";
import { getRelationshipStatus } from "@/lib/replication/get-relationship-status";
import { listJobFileErrors, listRelationshipJobs } from "@/lib/replication/job-history";
import { readLogEntries } from "@/lib/replication/replication-log";
import { ConsoleHeader } from "@/components/console-header";
import { LiveRefresh } from "@/components/live-refresh";
import { EditCredentials } from "./edit-credentials";
import { RelationshipActions } from "./relationship-actions";
import { ReplicationLog } from "./replication-log";
import { ThroughputChart } from "./throughput-chart";
import { requireSession } from "@/web/console-session";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";

export default async function CopyDetailsPage({ params }: { params: Promise<{ id: string }> }) {
  const { header } = await requireSession();
  const { id } = await params;
  let status;
  try {
    status = await getRelationshipStatus({ id });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  const [jobs, log] = await Promise.all([listRelationshipJobs({ id }), readLogEntries({ id, lines: 100 })]);
  const fileErrors = status.last_job ? await listJobFileErrors({ jobId: status.last_job.job_id }) : [];
  const { canWrite } = header;
  const running = status.state === "REPLICATION_RUNNING";
  const current = status.current_job;

  return (
    <>
      <ConsoleHeader {...header} />
      <LiveRefresh active={running} />
      <main className="mx-auto flex max-w-6xl flex-col gap-8 px-6 py-8">
        <div>
          <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600">
            Cluster ›{" "}
            <Link href="/copies" className="underline">
              Copy to/from S3
            </Link>{" "}
            › Details
          </nav>
          <div className="flex flex-wrap items-start justify-between gap-4">
            <h1 className="text-2xl font-semibold">
              {status.local_directory_path} {status.direction === "COPY_TO_OBJECT" ? "⇨" : "⇦"} {status.bucket}/
              {status.object_folder}
            </h1>
            {canWrite && (
              <div className="flex flex-col items-start gap-2">
                <RelationshipActions id={id} running={running} />
                <EditCredentials id={id} accessKeyId={status.access_key_id} />
              </div>
            )}
          </div>
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
                <dd className="font-mono">{value}</dd>
              </div>
            ))}
          </dl>
        </Section>

        <Section title="Current job">
          {current ? (
            <p className="text-sm" data-testid="current-job">
              {describeProgress(status, current)}
            </p>
          ) : (
            <p className="text-sm text-slate-600">No job is running.</p>
          )}
        </Section>

        {(current ?? status.last_job) && (
          <Section title={current ? "Throughput of the current job" : "Throughput of the last job"}>
            <ThroughputChart series={(current ?? status.last_job)!.throughput_series} />
          </Section>
        )}

        <Section title="Job history">
          <table className="w-full text-left text-sm">
            <TableHead columns={["Started", "Outcome", "Copied", "Unchanged", "Failed", "Error"]} />
            <tbody>
              {jobs.map((job) => (
                <tr key={job.job_id} className="border-b border-slate-100 align-top" data-testid="job-row">
                  <td className="py-1 pr-4">
                    {new Date(job.start_time).toLocaleString("en-GB", { timeZone: "UTC" })} UTC
                  </td>
                  <td className="py-1 pr-4">{job.state}</td>
                  <td className="py-1 pr-4">
                    {job.job_progress.files_transferred} files,{" "}
                    {formatBytes(Number(job.job_progress.bytes_transferred))}
                  </td>
                  <td className="py-1 pr-4">{job.job_progress.files_unchanged} files</td>
                  <td className="py-1 pr-4">{job.job_progress.files_failed}</td>
                  <td className="py-1 text-red-700">{job.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>

        {fileErrors.length > 0 && (
          <Section title="Files the last job could not copy">
            <ul className="text-sm">
              {fileErrors.map((e) => (
                <li key={e.path}>
                  <span className="font-mono">{e.path}</span>: {e.message}
                </li>
              ))}
            </ul>
          </Section>
        )}

        <Section title="Replication log">
          <ReplicationLog entries={log} downloadHref={`/copies/${status.id}/log`} />
        </Section>
      </main>
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={title} className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={title} className="mb-3 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
