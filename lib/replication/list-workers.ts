import { getConfig } from "@/lib/config";
import { databaseNow, syncDatabaseClock } from "@/lib/db/database-clock";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "./job-states";

/** The Workers page shows the last day; older rows are removed by the workers themselves. */
const SHOWN_FOR_MS = 24 * 60 * 60 * 1000;

export type WorkerState = "RUNNING" | "SILENT" | "STOPPED";

const rfc3339 = (date: Date | null | undefined) => (date ? date.toISOString() : "");

/**
 * Every worker seen in the last day, with the jobs and the work units whose lease it holds. A worker that has not
 * beaten for longer than a lease is SILENT: its jobs are about to be, or have been, taken over.
 */
export async function listWorkers() {
  // Heartbeats are written in the database's time: they are judged in it, not this server's. A
  // page open on the list asks every second; clocks drift far slower than that.
  await syncDatabaseClock({ maxAgeMs: 60_000 });
  const now = databaseNow();
  const leaseMs = getConfig().workerLeaseMs;
  const workers = await db().worker.findMany({
    where: { heartbeatAt: { gte: new Date(now.getTime() - SHOWN_FOR_MS) } },
    orderBy: [{ host: "asc" }, { startedAt: "desc" }],
  });
  const jobs = await db().job.findMany({
    where: { state: JOB_STATES.RUNNING, workerId: { in: workers.map((w) => w.id) } },
    orderBy: { startTime: "asc" },
    include: { relationship: true },
  });
  const units = await db().jobUnit.findMany({
    where: { state: "RUNNING", workerId: { in: workers.map((w) => w.id) } },
    orderBy: [{ jobId: "asc" }, { index: "asc" }],
    include: { job: { include: { relationship: true } } },
  });
  const unitCounts = await db().jobUnit.groupBy({
    by: ["jobId"],
    where: { jobId: { in: jobs.map((job) => job.id) } },
    _count: { _all: true },
  });
  const where = (relationship: (typeof jobs)[number]["relationship"]) => ({
    relationship_id: relationship.id,
    direction: relationship.direction,
    local_directory_path: relationship.localDirectoryPath,
    bucket: relationship.bucket,
    object_folder: relationship.objectFolder,
  });
  const view = workers.map((worker) => {
    const state: WorkerState = worker.stoppedAt
      ? "STOPPED"
      : now.getTime() - worker.heartbeatAt.getTime() > leaseMs
        ? "SILENT"
        : "RUNNING";
    return {
      id: worker.id,
      host: worker.host,
      pid: worker.pid,
      version: worker.version,
      state,
      started_at: rfc3339(worker.startedAt),
      heartbeat_at: rfc3339(worker.heartbeatAt),
      stopped_at: rfc3339(worker.stoppedAt),
      running_jobs: jobs
        .filter((job) => job.workerId === worker.id)
        .map((job) => ({
          job_id: job.id,
          ...where(job.relationship),
          start_time: rfc3339(job.startTime),
          lease_expires_at: rfc3339(job.leaseExpiresAt),
          takeovers: job.takeovers,
          work_units: unitCounts.find((count) => count.jobId === job.id)?._count._all ?? 0,
        })),
      running_units: units
        .filter((unit) => unit.workerId === worker.id)
        .map((unit) => ({
          job_id: unit.jobId,
          ...where(unit.job.relationship),
          unit: unit.index,
          from_key: unit.lowerBound,
          to_key: unit.upperBound ?? "",
          lease_expires_at: rfc3339(unit.leaseExpiresAt),
          takeovers: unit.takeovers,
        })),
    };
  });
  const order: Record<WorkerState, number> = { RUNNING: 0, SILENT: 1, STOPPED: 2 };
  return view.sort((a, b) => order[a.state] - order[b.state]);
}

export type WorkerView = Awaited<ReturnType<typeof listWorkers>>[number];
