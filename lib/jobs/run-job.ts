import type { Job, Prisma } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { databaseNow } from "@/lib/db/database-clock";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { storableText } from "@/lib/db/storable-text";
import { copyFromObject } from "@/lib/engine/copy-from-object";
import { copyToObject } from "@/lib/engine/copy-to-object";
import type { CopyResult } from "@/lib/engine/job-failures";
import type { EngineEvent } from "@/lib/engine/events";
import { ProgressTracker } from "@/lib/engine/progress";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { jobDirectoryPath } from "@/lib/fs/namespace";
import { progressColumns } from "@/lib/progress/record";
import { createObjectStore } from "@/lib/s3/client";
import { parseAddress } from "@/lib/s3/endpoint";
import { findRelationship, s3SettingsOf } from "@/lib/replication/find-relationship";
import { JOB_STATES } from "@/lib/replication/job-states";
import { BUFFER_BUDGET_BYTES, DOWNLOAD_SETTINGS, storeSockets, uploadSettings } from "./engine-settings";
import { dropEntryLists, JobEntryRows, pruneEntryLists } from "./job-entry-rows";
import { JobLog } from "./job-log";
import { LeaseLostError, writeUnderLease, type JobLease } from "./job-lease";
import { SharedTracking } from "./shared-tracking";
import { createPrivateFile } from "@/lib/process/private-data";
import { partialsJournalFor, trackingFileFor } from "@/lib/data-paths";

const FLUSH_INTERVAL_MS = 500;
/** How long the lease holder's last write may take to settle once the lease is given up: its outcome may have committed. */
const SETTLE_MS = 2_000;
/**
 * How long after sending its last successful renewal a worker may go on without another before
 * it stops the job itself: a fifth of the lease, and at least a second (two checks), short of the
 * lease, so that it normally stops before any other worker may take the job over.
 */
function selfFenceAfterMs(): number {
  const leaseMs = getConfig().workerLeaseMs;
  return leaseMs - Math.max(1_000, leaseMs / 5);
}

export interface RunJobOptions {
  /** Aborted when the worker itself shuts down. */
  shutdown: AbortSignal;
  log?: (line: string) => void;
  /** When the claim that gave the lease was sent (performance.now()): the lease runs from then. */
  leaseSince?: number;
}

/**
 * Runs one claimed job to its end: builds the engine's inputs from the relationship, writes
 * progress twice a second under the job's lease (which renews it), turns a stop request into an
 * abort signal, and records the outcome. Once the lease is lost (the job was taken over, or could
 * not be renewed in time), the engine is stopped and nothing more is written to the job.
 */
export async function runJob(
  job: Job,
  { shutdown, log: workerLog = console.log, leaseSince = performance.now() }: RunJobOptions,
): Promise<void> {
  const lease: JobLease = { jobId: job.id, token: job.leaseToken };
  const onShared = databaseKind() === "postgresql";
  const log = new JobLog(job.relationshipId, job.id, { shared: onShared, onWriteFailed: workerLog });
  let tracking: TrackingStore | undefined;
  let shared: SharedTracking | undefined;
  const progress = new ProgressTracker();
  const entryRows = new JobEntryRows(job.id);
  const stop = new AbortController();
  const onShutdown = () => stop.abort(new Error("worker shutdown"));
  shutdown.addEventListener("abort", onShutdown, { once: true });
  let leaseLost = false;
  // Local time by which the lease must have been renewed; counted from before each renewal is sent.
  let renewBy = leaseSince + selfFenceAfterMs();
  // What earlier attempts of a job taken over listed is dropped with the first write: this
  // attempt walks everything again and lists what it finds.
  let dropEarlierEntries = job.takeovers > 0;

  const emit = (event: EngineEvent) => {
    progress.listener(event);
    log.listener(event);
    entryRows.listener(event);
  };

  let signalLeaseLost = () => {};
  const leaseLostNow = new Promise<false>((resolve) => (signalLeaseLost = () => resolve(false)));
  const loseLease = (why: string) => {
    if (leaseLost) return;
    leaseLost = true;
    signalLeaseLost();
    log.write("warn", "lease-lost", { reason: why });
    workerLog(`worker: job ${job.id}: ${why}; stopping it here`);
    stop.abort(new Error(why));
  };

  /**
   * Progress, entry lists, the shared tracking's changed ranges (PostgreSQL) and the lease's
   * renewal commit together, or not at all. With nothing else to write it is one statement
   * (which Prisma may still wrap in a transaction of its own). A transaction holds the job's row:
   * it is given no longer than the worker may go on without a renewal, and PostgreSQL ends one
   * left idle (a process frozen, a link gone quiet).
   */
  const writeProgress = async (data: Prisma.JobUpdateManyMutationInput = {}, lastLogLine?: string) => {
    const sent = performance.now();
    // The counters are read with the tracking's state (hasChanges flushes it): they commit together.
    const sharedChanges = shared?.hasChanges() ?? false;
    const columns = { ...progressColumns(progress.snapshot()), ...data };
    if (!entryRows.hasRows() && !dropEarlierEntries && !sharedChanges && lastLogLine === undefined) {
      await writeUnderLease(db(), lease, columns);
    } else {
      const parts: { committed(): void; rolledBack?(): void }[] = [];
      try {
        await db().$transaction(
          async (tx) => {
            await writeUnderLease(tx, lease, columns);
            if (dropEarlierEntries) await dropEntryLists(tx, job.id);
            if (sharedChanges) parts.push(await shared!.writeIn(tx));
            if (lastLogLine !== undefined) parts.push(await log.writeIn(tx, lastLogLine));
            parts.push(await entryRows.writeIn(tx));
          },
          { timeout: selfFenceAfterMs() },
        );
      } catch (error) {
        for (const part of parts) part.rolledBack?.();
        throw error;
      }
      dropEarlierEntries = false;
      renewBy = sent + selfFenceAfterMs();
      // Entry rows first: rows left in their buffer would be written twice.
      for (const part of parts.reverse()) {
        try {
          part.committed();
        } catch (error) {
          // The local copy stays marked and is fetched again by the next job: a cost, not a loss.
          log.write("warn", "tracking-copy-not-updated", { message: String(error) });
        }
      }
      return;
    }
    renewBy = sent + selfFenceAfterMs();
  };

  const flush = async () => {
    if (leaseLost) return;
    try {
      await writeProgress();
    } catch (error) {
      if (error instanceof LeaseLostError) return loseLease("another worker has taken this job over");
      throw error;
    }
    const current = await db().job.findUnique({ where: { id: job.id }, select: { abortRequested: true } });
    if (current?.abortRequested && !stop.signal.aborted) {
      log.write("info", "stop-requested");
      stop.abort(new Error("stopped by request"));
    }
  };

  // One write at a time. The lease is watched apart from the writes, until the outcome is
  // recorded: a write hanging on a link gone quiet must not keep a lost job alive.
  let flushing: Promise<void> = Promise.resolve();
  let writing = false;
  let engineDone = false;
  const timer = setInterval(() => {
    if (!leaseLost && performance.now() > renewBy) loseLease("its lease could not be renewed in time");
    if (writing || leaseLost || engineDone) return;
    writing = true;
    flushing = flush()
      .catch((error) => log.write("warn", "progress-write-failed", { message: String(error) }))
      .finally(() => (writing = false));
  }, FLUSH_INTERVAL_MS);

  /** The job's end under its lease; false when the lease was lost first (the new holder records it). */
  const recordOutcome = async (result: CopyResult): Promise<boolean> => {
    await flushing;
    if (leaseLost) return false;
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
  // A worker frozen between its claim and here must not start on a lease already spent.
  if (performance.now() > renewBy) loseLease("its lease could not be renewed in time");
  try {
    // Created 0600 first: SQLite gives the file's -wal and -shm the same mode.
    createPrivateFile(trackingFileFor(job.relationshipId));
    tracking = new TrackingStore(trackingFileFor(job.relationshipId));
    if (onShared) shared = await SharedTracking.open(job.relationshipId, tracking);
    result = await execute(job, tracking, stop.signal, emit);
  } catch (error) {
    result = { outcome: "FAILED", error: error instanceof Error ? error.message : String(error), readMode: null };
  } finally {
    engineDone = true;
    shutdown.removeEventListener("abort", onShutdown);
  }
  let recorded: boolean;
  try {
    const outcome = recordOutcome(result);
    outcome.catch(() => {});
    // Should the lease be given up while the outcome is on its way, the write may still commit:
    // it is waited for a moment, so that a job that did end is not logged as left.
    const settled = leaseLostNow.then(() =>
      Promise.race([outcome.catch(() => false), new Promise<false>((r) => setTimeout(() => r(false), SETTLE_MS))]),
    );
    recorded = await Promise.race([outcome, settled]);
  } finally {
    clearInterval(timer);
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

async function execute(
  job: Job,
  tracking: TrackingStore,
  signal: AbortSignal,
  emit: (event: EngineEvent) => void,
): Promise<CopyResult> {
  const config = getConfig();
  const relationship = await findRelationship(job.relationshipId);
  const directory = await jobDirectoryPath(relationship.localDirectoryPath);
  const settings = s3SettingsOf(relationship);
  const store = createObjectStore(settings, { maxSockets: storeSockets(config.transferConcurrency) });
  const common = {
    directory,
    directoryIno: BigInt(relationship.localDirectoryId),
    directoryBirthNs: relationship.localDirectoryBirthNs ? BigInt(relationship.localDirectoryBirthNs) : undefined,
    directoryLabel: `"${relationship.localDirectoryPath}"`,
    store,
    bucket: relationship.bucket,
    folder: relationship.objectFolder,
    tracking,
    signal,
    emit,
    concurrency: config.transferConcurrency,
    bufferBudgetBytes: BUFFER_BUDGET_BYTES,
  };
  try {
    if (relationship.direction === "COPY_FROM_OBJECT") {
      return await copyFromObject({
        ...common,
        download: DOWNLOAD_SETTINGS,
        partialsJournal: partialsJournalFor(relationship.id),
      });
    }
    return await copyToObject({
      ...common,
      // One name per attempt: a job taken over must not meet the snapshot its lost worker left.
      jobId: `${job.id}.${job.leaseToken}`,
      // AWS verifies x-amz-checksum-sha256; other stores are sent Content-MD5, which all verify.
      transfer: uploadSettings(parseAddress(relationship.objectStoreAddress).host.endsWith(".amazonaws.com")),
    });
  } finally {
    store.destroy();
  }
}

async function wasStopRequested(jobId: string): Promise<boolean> {
  const row = await db().job.findUnique({ where: { id: jobId }, select: { abortRequested: true } });
  return !!row?.abortRequested;
}
