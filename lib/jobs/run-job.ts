import type { Job } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
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
import { JobEntryRows, pruneEntryLists } from "./job-entry-rows";
import { JobLog } from "./job-log";
import { createPrivateFile } from "@/lib/process/private-data";
import { partialsJournalFor, trackingFileFor } from "@/lib/data-paths";

const FLUSH_INTERVAL_MS = 500;

export interface RunJobOptions {
  /** Aborted when the worker itself shuts down. */
  shutdown: AbortSignal;
}

/**
 * Runs one claimed job to its end: builds the engine's inputs from the relationship, persists
 * progress and a heartbeat twice a second, turns a stop request into an abort signal, and
 * records the outcome.
 */
export async function runJob(job: Job, { shutdown }: RunJobOptions): Promise<void> {
  const log = new JobLog(job.relationshipId, job.id);
  const progress = new ProgressTracker();
  const entryRows = new JobEntryRows(job.id);
  const stop = new AbortController();
  const onShutdown = () => stop.abort(new Error("worker shutdown"));
  shutdown.addEventListener("abort", onShutdown, { once: true });

  const emit = (event: EngineEvent) => {
    progress.listener(event);
    log.listener(event);
    entryRows.listener(event);
  };

  const flush = async () => {
    await entryRows.flush();
    await db().job.update({
      where: { id: job.id },
      data: { ...progressColumns(progress.snapshot()), heartbeatAt: new Date() },
    });
    const current = await db().job.findUnique({ where: { id: job.id }, select: { abortRequested: true } });
    if (current?.abortRequested && !stop.signal.aborted) {
      log.write("info", "stop-requested");
      stop.abort(new Error("stopped by request"));
    }
  };

  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    flushing = flushing
      .then(flush)
      .catch((error) => log.write("warn", "progress-write-failed", { message: String(error) }));
  }, FLUSH_INTERVAL_MS);

  let result: CopyResult;
  log.write("info", "job-start");
  try {
    result = await execute(job, stop.signal, emit);
  } catch (error) {
    result = { outcome: "FAILED", error: error instanceof Error ? error.message : String(error), readMode: null };
  } finally {
    clearInterval(timer);
    shutdown.removeEventListener("abort", onShutdown);
  }
  await flushing;
  const interruptedByShutdown = result.outcome === "ABORTED" && shutdown.aborted && !(await wasStopRequested(job.id));
  const state = interruptedByShutdown ? JOB_STATES.INTERRUPTED : JOB_STATES[result.outcome];
  const error = interruptedByShutdown
    ? "The worker was shut down during this job. Start it again: files already copied are not copied again."
    : result.error;
  await flush();
  await db().job.update({
    where: { id: job.id },
    data: {
      ...progressColumns(progress.snapshot()),
      state,
      error: storableText(error),
      endTime: new Date(),
      readMode: result.readMode ?? undefined,
    },
  });
  const level = state === JOB_STATES.SUCCEEDED ? "info" : state === JOB_STATES.COMPLETED_WITH_ERRORS ? "warn" : "error";
  log.write(level, "job-end", { outcome: state, error });
  await pruneEntryLists(job.relationshipId).catch((e: unknown) =>
    log.write("warn", "entry-lists-not-pruned", { message: String(e) }),
  );
  await log.close();
}

async function execute(job: Job, signal: AbortSignal, emit: (event: EngineEvent) => void): Promise<CopyResult> {
  const config = getConfig();
  const relationship = await findRelationship(job.relationshipId);
  const directory = await jobDirectoryPath(relationship.localDirectoryPath);
  const settings = s3SettingsOf(relationship);
  const store = createObjectStore(settings, { maxSockets: storeSockets(config.transferConcurrency) });
  // Created 0600 first: SQLite gives the file's -wal and -shm the same mode.
  createPrivateFile(trackingFileFor(relationship.id));
  const tracking = new TrackingStore(trackingFileFor(relationship.id));
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
      jobId: job.id,
      // AWS verifies x-amz-checksum-sha256; other stores are sent Content-MD5, which all verify.
      transfer: uploadSettings(parseAddress(relationship.objectStoreAddress).host.endsWith(".amazonaws.com")),
    });
  } finally {
    tracking.close();
    store.destroy();
  }
}

async function wasStopRequested(jobId: string): Promise<boolean> {
  const row = await db().job.findUnique({ where: { id: jobId }, select: { abortRequested: true } });
  return !!row?.abortRequested;
}
