import type { JobUnit } from "@/generated/prisma/client";
import { trackingFileFor } from "@/lib/data-paths";
import { db } from "@/lib/db/prisma";
import { storableText } from "@/lib/db/storable-text";
import { Completions } from "@/lib/engine/completions";
import type { EngineEvent } from "@/lib/engine/events";
import type { CopyResult } from "@/lib/engine/job-failures";
import type { KeyRange } from "@/lib/engine/key-range";
import { ProgressTracker } from "@/lib/engine/progress";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { createPrivateFile } from "@/lib/process/private-data";
import { JOB_STATES } from "@/lib/replication/job-states";
import { executeCopy } from "../execute-copy";
import { LeaseLostError } from "../job-lease";
import { JobEntryRows } from "../job-entry-rows";
import { JobLog } from "../job-log";
import { LeaseRun, type LeaseTarget, type PartWriter } from "../lease-run";
import { SharedTracking } from "../shared-tracking";
import { committedOf, unitColumns } from "./unit-progress";
import { UNIT_STATES, writeUnderUnitLease, type UnitLease } from "./unit-lease";

export interface RunUnitOptions {
  shutdown: AbortSignal;
  log?: (line: string) => void;
  leaseSince?: number;
}

/**
 * Runs one claimed work unit: the engine over the unit's keys only, going on from what earlier
 * attempts committed. Its counters, the mark of what it has dealt with, its entry lists and the
 * tracking of its keys commit together under the unit's lease, twice a second, so an attempt
 * that follows a lost one counts every file once. A stop of the job reaches it with the next
 * renewal; a worker shutting down hands the unit back to the queue.
 */
export async function runUnit(
  unit: JobUnit,
  { shutdown, log: workerLog = console.log, leaseSince = performance.now() }: RunUnitOptions,
): Promise<void> {
  const lease: UnitLease = { jobId: unit.jobId, index: unit.index, token: unit.leaseToken };
  const job = await db().job.findUniqueOrThrow({ where: { id: unit.jobId }, select: { relationshipId: true } });
  const log = new JobLog(job.relationshipId, unit.jobId, {
    shared: true,
    onWriteFailed: workerLog,
    context: { unit: unit.index },
  });
  const run = new LeaseRun(unitTarget(lease), { shutdown, log, workerLog, leaseSince });
  const range: KeyRange = { lower: unit.lowerBound, upper: unit.upperBound ?? undefined };
  const committed = committedOf(unit);
  const progress = new ProgressTracker({ base: committed });
  const completions = new Completions(committed.mark);
  const entryRows = new JobEntryRows(unit.jobId);
  let tracking: TrackingStore | undefined;
  let shared: SharedTracking | undefined;
  let lastBeyond: unknown = unit.doneBeyond;

  const emit = (event: EngineEvent) => {
    progress.listener(event);
    log.listener(event);
    entryRows.listener(event);
  };

  const write = async (data: Record<string, unknown> = {}, lastLogLine?: string) => {
    // The counters and the mark are read after the tracking is flushed: they commit together.
    const sharedChanges = shared?.hasChanges() ?? false;
    const columns: Record<string, unknown> = {
      ...unitColumns(progress.snapshot(), progress.bytesMoved, completions.mark()),
      ...data,
    };
    const entries = entryRows.prepare();
    // The keys finished beyond `through` can be thousands (a slow file holds it back): sent when they change.
    const beyond = columns.doneBeyond;
    if (beyond === lastBeyond) delete columns.doneBeyond;
    const parts: PartWriter[] = [];
    if (sharedChanges) parts.push((tx) => shared!.writeIn(tx));
    if (lastLogLine !== undefined) parts.push((tx) => log.writeIn(tx, lastLogLine));
    if (entryRows.hasRows()) parts.push(entries);
    await run.write(columns, parts);
    lastBeyond = beyond;
  };

  const recordEnd = async (result: CopyResult): Promise<boolean> => {
    await run.end();
    if (run.leaseLost) return false;
    // A worker shutting down hands its unit on: another goes on from what this one committed.
    const handBack = result.outcome === "ABORTED" && shutdown.aborted && !(await run.stopAsked());
    const end = handBack
      ? { state: UNIT_STATES.QUEUED, workerId: null, leaseToken: lease.token + 1, leaseExpiresAt: null }
      : {
          state: UNIT_STATES.DONE,
          outcome: result.outcome,
          error: storableText(result.error),
          readMode: result.readMode,
        };
    const line = handBack
      ? log.line("info", "unit-handed-back", { reason: "the worker is shutting down" })
      : log.line(result.outcome === "SUCCEEDED" ? "info" : "warn", "unit-end", {
          outcome: result.outcome,
          error: result.error,
        });
    await log.settle();
    try {
      await write(end, line);
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }
    return true;
  };

  log.write("info", "unit-start", {
    worker: unit.workerId,
    from: range.lower,
    to: range.upper ?? null,
    takeovers: unit.takeovers,
  });
  run.checkFresh();
  run.start(() => write());
  let result: CopyResult;
  try {
    createPrivateFile(trackingFileFor(job.relationshipId));
    tracking = new TrackingStore(trackingFileFor(job.relationshipId));
    shared = await SharedTracking.open(job.relationshipId, tracking, range);
    result = await executeCopy(job.relationshipId, `${unit.jobId}.${unit.index}.${unit.leaseToken}`, {
      tracking,
      signal: run.stop.signal,
      emit,
      unit: { range, completions, resumeFrom: committed.mark },
    });
  } catch (error) {
    result = { outcome: "FAILED", error: error instanceof Error ? error.message : String(error), readMode: null };
  }
  let recorded: boolean;
  try {
    recorded = await run.settle(recordEnd(result));
  } finally {
    tracking?.close();
  }
  if (!recorded) log.write("warn", "unit-left", { reason: "the lease was lost; the unit goes on elsewhere" });
  await log.close();
}

function unitTarget(lease: UnitLease): LeaseTarget {
  return {
    name: `unit ${lease.index} of job ${lease.jobId}`,
    kind: "work unit",
    write: (client, data) => writeUnderUnitLease(client, lease, data),
    // A job stopped, or ended without its units (lost too often), stops them.
    stopRequested: async () => {
      const job = await db().job.findUnique({
        where: { id: lease.jobId },
        select: { abortRequested: true, state: true },
      });
      return !job || job.abortRequested || (job.state !== JOB_STATES.RUNNING && job.state !== JOB_STATES.QUEUED);
    },
  };
}
