import Link from "next/link";
import { Breadcrumb } from "@/components/breadcrumb";
import { ConsoleHeader } from "@/components/console-header";
import { LiveRefresh } from "@/components/live-refresh";
import { Moment } from "@/components/moment";
import { NoAccessPage } from "@/components/no-access-page";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { listWorkers, type WorkerState, type WorkerView } from "@/lib/replication/list-workers";
import { requireSession } from "@/web/console-session";

export const dynamic = "force-dynamic";

const STATE_LABEL: Record<WorkerState, { text: string; className: string; help: string }> = {
  RUNNING: { text: "Running", className: "bg-green-100 text-green-800", help: "beating; its jobs' leases are renewed" },
  SILENT: {
    text: "Silent",
    className: "bg-amber-100 text-amber-900",
    help: "no heartbeat for longer than a lease: its jobs are taken over by other workers",
  },
  STOPPED: { text: "Stopped", className: "bg-slate-100 text-slate-700", help: "ended" },
};

export default async function WorkersPage() {
  const { principal, header } = await requireSession();
  if (!hasPrivilege(principal, PRIVILEGES.REPLICATION_READ))
    return (
      <NoAccessPage
        header={header}
        title="Workers"
        privilege={PRIVILEGES.REPLICATION_READ}
        what="The list of workers"
      />
    );
  const workers = await listWorkers();
  const running = workers.filter((w) => w.state === "RUNNING").length;
  return (
    <>
      <ConsoleHeader {...header} />
      <LiveRefresh active={workers.some((w) => w.state !== "STOPPED")} />
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <Breadcrumb trail={[{ label: "Workers" }]} />
        <h1 className="mb-2 text-2xl font-semibold">Workers</h1>
        <p className="mb-6 text-sm text-slate-700">
          {running === 1 ? "1 worker is running" : `${running} workers are running`}. Workers seen in the last day are
          listed; each holds a lease on the jobs it runs and renews it twice a second.
        </p>
        {workers.length === 0 ? (
          <p className="rounded-lg border border-slate-200 bg-white p-5 text-sm">
            No worker has run in the last day. Start one with <code>npm run worker</code> (or <code>npm start</code>,
            which runs one beside the web server).
          </p>
        ) : (
          <ul className="flex flex-col gap-4">
            {workers.map((worker) => (
              <WorkerCard key={worker.id} worker={worker} />
            ))}
          </ul>
        )}
      </main>
    </>
  );
}

function WorkerCard({ worker }: { worker: WorkerView }) {
  const label = STATE_LABEL[worker.state];
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-5" data-testid="worker">
      <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-1">
        <h2 className="text-lg font-semibold break-all">{worker.host}</h2>
        <span className={`rounded px-2 py-0.5 text-xs font-medium ${label.className}`} title={label.help}>
          {label.text}
        </span>
        <span className="text-xs break-all text-slate-600">{worker.id}</span>
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-600">Last heartbeat</dt>
          <dd>
            <Moment time={worker.heartbeat_at} empty="never" />
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Started</dt>
          <dd>
            <Moment time={worker.started_at} empty="unknown" />
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Process</dt>
          <dd>{worker.pid}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Version</dt>
          <dd>{worker.version}</dd>
        </div>
      </dl>
      {worker.state === "SILENT" && (
        <p className="mt-3 text-sm text-amber-900">
          No heartbeat for longer than a lease: the jobs it held go to other workers, which continue them.
        </p>
      )}
      <h3 className="mt-4 mb-1 text-sm font-semibold">Jobs</h3>
      {worker.running_jobs.length === 0 ? (
        <p className="text-sm text-slate-600">No job.</p>
      ) : (
        <ul className="flex flex-col gap-1 text-sm">
          {worker.running_jobs.map((job) => (
            <li key={job.job_id}>
              <CopyLink copy={job} />
              <span className="text-slate-600">
                {" "}
                · started <Moment time={job.start_time} empty="—" />
                {job.takeovers > 0 && ` · taken over ${job.takeovers === 1 ? "once" : `${job.takeovers} times`}`}
                {job.work_units > 0 && ` · split into ${job.work_units} parts, which every worker runs`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {worker.running_units.length > 0 && (
        <>
          <h3 className="mt-4 mb-1 text-sm font-semibold">Parts of jobs</h3>
          <ul className="flex flex-col gap-1 text-sm">
            {worker.running_units.map((unit) => (
              <li key={`${unit.job_id}:${unit.unit}`}>
                Part {unit.unit + 1} of <CopyLink copy={unit} />
                <span className="break-all text-slate-600">
                  {" "}
                  · keys {unit.from_key === "" ? "from the start" : `from “${unit.from_key}”`}{" "}
                  {unit.to_key === "" ? "to the end" : `up to “${unit.to_key}”`}
                  {unit.takeovers > 0 && ` · taken over ${unit.takeovers === 1 ? "once" : `${unit.takeovers} times`}`}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </li>
  );
}

/** The copy a job or a part of one belongs to, as the list of copies names it. */
function CopyLink({ copy }: { copy: WorkerView["running_jobs"][number] | WorkerView["running_units"][number] }) {
  return (
    <Link href={`/copies/${copy.relationship_id}`} className="break-all text-blue-700 underline hover:text-blue-900">
      {copy.direction === "COPY_FROM_OBJECT"
        ? `${copy.bucket}/${copy.object_folder} → ${copy.local_directory_path}`
        : `${copy.local_directory_path} → ${copy.bucket}/${copy.object_folder}`}
    </Link>
  );
}
