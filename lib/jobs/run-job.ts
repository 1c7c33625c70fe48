import type { Job, Prisma } from "@/generated/prisma/client";
import { databaseNow } from "@/lib/db/database-clock";
import { databaseKind } from "@/lib/db/database-url";
import { storableText } from "@/lib/db/storable-text";
import type { CopyResult } from "@/lib/engine/job-failures";
import type { EngineEvent } from "@/lib/engine/events";
import { ProgressTracker } from "@/lib/engine/progress";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { progressColumns } from "@/lib/progress/record";
import { JOB_STATES } from "@/lib/replication/job-states";
import { dropEntryLists, JobEntryRows, pruneEntryLists } from "./job-entry-rows";
import { JobLog } from "./job-log";
import { jobTarget, LeaseLostError, wasStopRequested, type JobLease } from "./job-lease";
import { LeaseRun, type PartWriter } from "./lease-run";
import { SharedTracking } from "./shared-tracking";
import { executeCopy, countRelationshipKeys } from "./execute-copy";
import { findRelationship } from "@/lib/replication/find-relationship";
import { coordinateJob } from "./units/coordinate-job";
import { planJob, type Plan } from "./units/plan-units";
import { createPrivateFile } from "@/lib/process/private-data";
import { trackingFileFor } from "@/lib/data-paths";

export interface RunJobOptions {
  /** Aborted when the worker itself shuts down. */
  shutdown: AbortSignal;
  log?: (line: string) => void;
  /** When the claim that gave the lease was sent (performance.now()): the lease runs from then. */
  leaseSince?: number;
  /** Called when the job turns out to be split into work units: its slot is free for a unit. */
  onSplit?: () => void;
}

/**
 * Runs one claimed job to its end: builds the engine's inputs from the relationship, writes
 * progress twice a second under the job's lease (which renews it), turns a stop request into an
 * abort signal, and records the outcome. Once the lease is lost (the job was taken over, or could
 * not be renewed in time), the engine is stopped and nothing more is written to the job.
 */
export async function runJob(job: Job, options: RunJobOptions): Promise<void> {
  const { shutdown, log: workerLog = console.log, leaseSince = performance.now() } = options;
  const plan = await planOrWhole(job, workerLog);
  if (plan.kind !== "whole") {
    options.onSplit?.();
    return coordinateJob(job, plan, { shutdown, log: workerLog, leaseSince });
  }
  const lease: JobLease = { jobId: job.id, token: job.leaseToken };
  const onShared = databaseKind() === "postgresql";
  const log = new JobLog(job.relationshipId, job.id, { shared: onShared, onWriteFailed: workerLog });
  const run = new LeaseRun(jobTarget(lease), { shutdown, log, workerLog, leaseSince });
  let tracking: TrackingStore | undefined;
  let shared: SharedTracking | undefined;
  const progress = new ProgressTracker();
  const entryRows = new JobEntryRows(job.id);
  // What earlier attempts of a job taken over listed is dropped with the first write: this
  // attempt walks everything again and lists what it finds.
  let dropEarlierEntries = job.takeovers > 0;

  const emit = (event: EngineEvent) => {
    progress.listener(event);
    log.listener(event);
    entryRows.listener(event);
  };

  /**
   * Progress, entry lists, the shared tracking's changed ranges (PostgreSQL) and the lease's
   * renewal commit together, or not at all.
   */
  const writeProgress = async (data: Prisma.JobUpdateManyMutationInput = {}, lastLogLine?: string) => {
    // The counters are read with the tracking's state (hasChanges flushes it): they commit together.
    const sharedChanges = shared?.hasChanges() ?? false;
    const columns = { ...progressColumns(progress.snapshot()), ...data };
    const entries = entryRows.prepare();
    const parts: PartWriter[] = [];
    if (dropEarlierEntries)
      parts.push(async (tx) => {
        await dropEntryLists(tx, job.id);
        return { committed: () => (dropEarlierEntries = false) };
      });
    if (sharedChanges) parts.push((tx) => shared!.writeIn(tx));
    if (lastLogLine !== undefined) parts.push((tx) => log.writeIn(tx, lastLogLine));
    if (entryRows.hasRows()) parts.push(entries);
    await run.write(columns, parts);
  };

  /** The job's end under its lease; false when the lease was lost first (the new holder records it). */
  const recordOutcome = async (result: CopyResult): Promise<boolean> => {
    await run.end();
    if (run.leaseLost) return false;
    const interruptedByShutdown = result.outcome === "ABORTED" && shutdown.aborted && !(await wasStopRequested(job.id));
    const state = interruptedByShutdown ? JOB_STATES.INTERRUPTED : JOB_STATES[result.outcome];
    const error = interruptedByShutdown
      ? "The worker was shut down during this job. Start it again: files already copied are not copied again."
      : result.error;
    const level =
      state === JOB_STATES.SUCCEEDED ? "info" : state === JOB_STATES.COMPLETED_WITH_ERRORS ? "warn" : "error";
    const endLine = log.line(level, "job-end", { outcome: state, error });
    // Waited for outside the transaction: a batch on its way needs a connection of its own.
    if (onShared) await log.settle();
    try {
      // Where the log is in the database, its last line commits with the outcome.
      await writeProgress(
        { state, error: storableText(error), endTime: databaseNow(), readMode: result.readMode ?? undefined },
        onShared ? endLine : undefined,
      );
    } catch (writeError) {
      if (writeError instanceof LeaseLostError) return false;
      throw writeError;
    }
    if (!onShared) log.write(level, "job-end", { outcome: state, error });
    return true;
  };

  let result: CopyResult;
  log.write("info", "job-start", { worker: job.workerId, takeovers: job.takeovers });
  run.checkFresh();
  run.start(() => writeProgress());
  try {
    // Created 0600 first: SQLite gives the file's -wal and -shm the same mode.
    createPrivateFile(trackingFileFor(job.relationshipId));
    tracking = new TrackingStore(trackingFileFor(job.relationshipId));
    if (onShared) shared = await SharedTracking.open(job.relationshipId, tracking);
    result = await executeCopy(job.relationshipId, `${job.id}.${job.leaseToken}`, {
      tracking,
      signal: run.stop.signal,
      emit,
    });
  } catch (error) {
    result = { outcome: "FAILED", error: error instanceof Error ? error.message : String(error), readMode: null };
  }
  let recorded: boolean;
  try {
    recorded = await run.settle(recordOutcome(result));
  } finally {
    tracking?.close();
  }
  if (!recorded) {
    log.write("warn", "job-left", { reason: "the lease was lost; the worker holding it now records the outcome" });
    await log.close();
    return;
  }
  await pruneEntryLists(job.relationshipId).catch((e: unknown) =>
    log.write("warn", "entry-lists-not-pruned", { message: String(e) }),
  );
  await log.close();
}

/** A job whose plan cannot be made runs whole: the engine then says what is wrong, as on one host. */
async function planOrWhole(job: Job, workerLog: (line: string) => void): Promise<Plan> {
  if (databaseKind() !== "postgresql") return { kind: "whole" };
  try {
    const { direction } = await findRelationship(job.relationshipId);
    return await planJob(job, direction, (limit, deadline) =>
      countRelationshipKeys(job.relationshipId, direction, limit, deadline),
    );
  } catch (error) {
    if (job.unitsPlanned !== null) throw error;
    workerLog(`worker: job ${job.id} runs whole: ${error instanceof Error ? error.message : error}`);
    return { kind: "whole" };
  }
}
