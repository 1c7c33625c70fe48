import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import {
  durationBetween,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  outcomeLabel,
  skipReasonWords,
} from "@/lib/format";
import { getObjectRelationship } from "@/lib/replication/list-object-relationships";
import { getRelationshipJob } from "@/lib/replication/job-history";
import { entriesOf } from "@/lib/replication/job-entries";
import { ClampedText } from "@/components/clamped-text";
import { Breadcrumb } from "@/components/breadcrumb";
import { ConsoleHeader } from "@/components/console-header";
import { LiveRefresh } from "@/components/live-refresh";
import { Section } from "@/components/section";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { NoAccessPage } from "@/components/no-access-page";
import { requireSession } from "@/web/console-session";
import { EntryTable } from "./entry-table";

export const dynamic = "force-dynamic";

type Params = { id: string; jobId: string };

async function load(params: Params) {
  try {
    const [relationship, job] = await Promise.all([
      getObjectRelationship({ id: params.id }),
      getRelationshipJob(params),
    ]);
    return { relationship, job, entries: await entriesOf(job) };
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

const filesAndBytes = (files: string, bytes: string) =>
  `${formatCount(files)} ${files === "1" ? "file" : "files"} (${formatBytes(Number(bytes))})`;

/** One job's record: how it ended, what it moved, and each entry it could not copy or left alone. */
export default async function JobPage({ params }: { params: Promise<Params> }) {
  const { principal, header } = await requireSession();
  if (!hasPrivilege(principal, PRIVILEGES.REPLICATION_READ))
    return <NoAccessPage header={header} title="Job" privilege={PRIVILEGES.REPLICATION_READ} what="A job's record" />;
  const { relationship, job, entries } = await load(await params);
  const p = job.job_progress;
  const running = job.end_time === "";
  const took = job.started ? durationBetween(job.start_time, job.end_time) : null;
  const pull = relationship.direction === "COPY_FROM_OBJECT";
  const counted = job.totals_known_at
    ? formatDuration(durationBetween(job.start_time, job.totals_known_at) ?? 0)
    : null;
  const skippedByReason = Object.entries(p.entries_skipped_by_reason);
  const facts: Array<[string, string]> = [
    ["Outcome", outcomeLabel(job.state, p.files_failed)],
    ["Started", formatTime(job.start_time)],
    ["Ended", running ? "still running" : formatTime(job.end_time)],
    ["Took", took === null ? "—" : formatDuration(took)],
    [
      "Waited to start",
      job.started ? formatDuration(durationBetween(job.queued_at, job.start_time) ?? 0) : "never started",
    ],
    // A push counts the tree while it copies; a pull lists the whole folder before its first download.
    [
      pull ? "Listed the folder" : "Counted every file",
      counted
        ? pull
          ? `in ${counted} (downloads began after it)`
          : `${counted} after the start (copying began at once)`
        : running
          ? "still counting"
          : "—",
    ],
    [pull ? "Downloaded" : "Sent", filesAndBytes(p.files_transferred, p.bytes_transferred)],
    ["Unchanged", filesAndBytes(p.files_unchanged, p.bytes_unchanged)],
    ["Copied server-side", filesAndBytes(p.files_copied_server_side, p.bytes_copied_server_side)],
    ["Could not copy", filesAndBytes(p.files_failed, p.bytes_failed)],
    [
      "Skipped",
      skippedByReason.length === 0
        ? "none"
        : skippedByReason.map(([reason, count]) => skipReasonWords(reason, count)).join(", "),
    ],
    // What crossed the network: server-side copies and files found in place moved nothing.
    [
      pull ? "Average download rate" : "Average upload rate",
      took ? `${formatBytes((Number(p.bytes_transferred) * 1000) / took)}/s` : "—",
    ],
    ["Read mode", job.read_mode === "snapshot" ? "snapshot" : job.read_mode === "stable-read" ? "stable read" : "—"],
    ["Job id", job.job_id],
  ];
  const failedTotal = Number(p.files_failed);
  const skippedTotal = Number(p.entries_skipped);
  const base = `/copies/${relationship.id}`;
  const lists = [
    {
      title: "Files the job could not copy",
      rows: entries.failed.map((e) => ({ path: e.path, why: e.message })),
      total: failedTotal,
    },
    {
      title: "Entries the job skipped",
      rows: entries.skipped.map((e) => ({ path: e.path, why: e.reason })),
      total: skippedTotal,
    },
  ];

  return (
    <>
      <ConsoleHeader {...header} />
      <LiveRefresh active={running} />
      <main className="mx-auto flex max-w-6xl flex-col gap-8 px-4 py-8 sm:px-6">
        <div>
          <Breadcrumb
            trail={[{ label: "Copy to/from S3", href: "/copies" }, { label: "Details", href: base }, { label: "Job" }]}
          />
          <h1 className="text-2xl font-semibold break-words">Job of {formatTime(job.start_time)}</h1>
          <p className="mt-1 font-mono text-sm break-all text-slate-700">
            {relationship.local_directory_path} {relationship.direction === "COPY_TO_OBJECT" ? "⇨" : "⇦"}{" "}
            {relationship.bucket}/{relationship.object_folder}
          </p>
        </div>

        <Section title="Summary">
          <dl
            className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]"
            data-testid="job-facts"
          >
            {facts.map(([label, value]) => (
              <div key={label} className="contents">
                <dt className="text-slate-600">{label}</dt>
                <dd className="mb-1 break-words sm:mb-0">{value}</dd>
              </div>
            ))}
          </dl>
          {job.error && (
            <div className="mt-3 text-red-700" data-testid="job-error">
              <ClampedText text={job.error} label="error" />
            </div>
          )}
        </Section>

        {lists.map((list) => (
          <Section key={list.title} title={list.title}>
            {list.total === 0 ? (
              <p className="text-sm text-slate-600">None{running ? " so far" : ""}.</p>
            ) : (
              <EntryTable label={list.title} rows={list.rows} total={list.total} />
            )}
          </Section>
        ))}

        {failedTotal + skippedTotal > 0 && (
          <p>
            <a href={`${base}/jobs/${job.job_id}/entries`} className="text-blue-800 underline" download>
              Download both lists as CSV
            </a>
          </p>
        )}
      </main>
    </>
  );
}
