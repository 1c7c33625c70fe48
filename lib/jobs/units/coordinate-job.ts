import { Prisma, type Job } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { databaseNow } from "@/lib/db/database-clock";
import { db } from "@/lib/db/prisma";
import { storableText } from "@/lib/db/storable-text";
import { filesFailedMessage } from "@/lib/engine/job-failures";
import { ProgressTracker } from "@/lib/engine/progress";
import { walkTree } from "@/lib/engine/walk";
import { progressColumns } from "@/lib/progress/record";
import { bytesDone, filesDone } from "@/lib/progress/remaining";
import { JOB_STATES } from "@/lib/replication/job-states";
import { findRelationship } from "@/lib/replication/find-relationship";
import { relationshipTree } from "../execute-copy";
import { jobTarget, LeaseLostError } from "../job-lease";
import { JobEntryRows, pruneEntryLists } from "../job-entry-rows";
import { JobLog } from "../job-log";
import { LeaseRun, type PartWriter } from "../lease-run";
import { WalkCutter, type Plan, type UnitCut } from "./plan-units";
import { checkPull, sweepPullLeftovers } from "./pull-units";
import { UNIT_STATES } from "./unit-lease";
import { summariseUnits, type UnitsSummary } from "./unit-progress";

const WAIT_MS = 250;
/** Units written per statement. */
const INSERT_UNITS = 500;

export interface CoordinateOptions {
  shutdown: AbortSignal;
  log: (line: string) => void;
  leaseSince: number;
}

/**
 * Holds the lease of a job split into work units, which any worker runs: makes the units (all
 * at once from the tracking's packs, or as a walk of the tree passes their ends), counts the
 * tree's totals, writes the job's progress as the sum of what its units committed, and records
 * the outcome once the last unit has ended. Stop reaches the units through the job's row; a
 * worker shutting down hands the job back to the queue, for another to coordinate.
 */
export async function coordinateJob(job: Job, plan: Exclude<Plan, { kind: "whole" }>, options: CoordinateOptions) {
  const { shutdown, log: workerLog, leaseSince } = options;
  const lease = { jobId: job.id, token: job.leaseToken };
  const log = new JobLog(job.relationshipId, job.id, { shared: true, onWriteFailed: workerLog });
  const run = new LeaseRun(jobTarget(lease), { shutdown, log, workerLog, leaseSince });
  // The job's start is on the database's clock: the overall rate counts from it, here too.
  const startedAt = Date.now() - (databaseNow().getTime() - (job.startTime ?? databaseNow()).getTime());
  const progress = new ProgressTracker({ startedAt });
  const pull = (await findRelationship(job.relationshipId)).direction === "COPY_FROM_OBJECT";
  const entryRows = new JobEntryRows(job.id);
  // A pull's units wait for the check of its whole folder.
  let unsent: UnitCut[] = plan.kind === "packs" && !pull ? plan.units : [];
  // Written true with the last units only: a coordinator that takes over a planned job makes none.
  let planned = plan.kind === "planned" || (plan.kind === "packs" && !pull);
  let latest: UnitsSummary | undefined;
  let writes = 0;

  const write = async (data: Record<string, unknown> = {}, lastLine?: string) => {
    // The reasons skipped entries were counted under are merged every few writes, and at the end.
    const summary = await summariseUnits(job.id, lastLine !== undefined || writes++ % 10 === 0);
    progress.absorb(summary.counts, summary.bytesMoved);
    // A copy: cuts the walk makes while this write is on its way go with the next one.
    const units = [...unsent];
    const parts: PartWriter[] = [];
    if (units.length > 0)
      parts.push(async (tx) => {
        await insertUnits(tx, job.id, units);
        return { committed: () => (unsent = unsent.slice(units.length)) };
      });
    if (lastLine !== undefined) parts.push((tx) => log.writeIn(tx, lastLine));
    if (entryRows.hasRows()) parts.push(entryRows.prepare());
    // Planned is written true only with the last units.
    await run.write({ ...progressColumns(progress.snapshot()), unitsPlanned: planned, ...data }, parts);
    // A summary taken before units it inserted does not count them: the next write's will.
    latest = units.length === 0 ? summary : undefined;
  };

  log.write("info", "job-start", {
    worker: job.workerId,
    takeovers: job.takeovers,
    units: plan.kind === "packs" ? plan.units.length : undefined,
  });
  run.checkFresh();
  run.start(() => write());
  let failure: string | undefined;
  // Where every unit exists already (a push repeat, a plan a lost coordinator finished), the walk
  // or listing gives the totals only: the units need not wait for it, nor the job's end (on a
  // large tree, one host's serial walk would bound the whole job).
  const totalsOnly = plan.kind === "planned" || (plan.kind === "packs" && !pull);
  const totalsCut = new AbortController();
  const walkSignal = AbortSignal.any([run.stop.signal, totalsCut.signal]);
  const preparing = (async () => {
    try {
      if (pull) failure = await preparePull();
      else await preparePush();
    } catch (error) {
      if (!run.stop.signal.aborted && !totalsCut.signal.aborted)
        failure = error instanceof Error ? error.message : String(error);
    }
  })();
  if (!totalsOnly) await preparing;

  async function preparePull(): Promise<string | undefined> {
    if (plan.kind !== "planned") await sweepLeftovers();
    let checked: Awaited<ReturnType<typeof checkPull>>;
    try {
      checked = await checkPull(job.relationshipId, plan, walkSignal);
    } catch (error) {
      if (totalsCut.signal.aborted) return undefined;
      // Taken over, the listing only gives the totals: its units go on without them.
      if (plan.kind !== "planned" || run.stop.signal.aborted) throw error;
      log.write("warn", "totals-unknown", { message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    if (totalsCut.signal.aborted) return undefined;
    progress.listener({ type: "totals", ...checked.totals });
    if (checked.refused) {
      for (const event of checked.refused.errors) entryRows.listener(event);
      return checked.refused.message;
    }
    unsent.push(...checked.units);
    planned = true;
    return undefined;
  }

  async function sweepLeftovers(): Promise<void> {
    const count = await sweepPullLeftovers(job.relationshipId);
    if (count > 0) log.write("info", "leftovers-removed", { count });
  }

  async function preparePush(): Promise<void> {
    const tree = await relationshipTree(job.relationshipId);
    const cutter = plan.kind === "walk" ? new WalkCutter(getConfig().unitFiles, plan) : undefined;
    const totals = await walkTotals(tree, walkSignal, (entry) => {
      const unit = cutter?.see(entry);
      if (unit) unsent.push(unit);
    });
    if (cutter) {
      unsent.push(cutter.finish());
      planned = true;
    }
    // A walk cut short counts only part of the tree.
    if (!totalsCut.signal.aborted) progress.listener({ type: "totals", ...totals });
  }

  // Until every unit has ended, or one failed for good, or the work here must stop.
  while (!failure && !run.stop.signal.aborted && !latest?.failed) {
    if (planned && unsent.length === 0 && latest?.open === 0) break;
    await pause(run.stop.signal);
  }
  if (totalsOnly) {
    totalsCut.abort();
    await preparing;
    // Every unit has ended: what they dealt with is the whole tree, so the totals are its sums.
    const done = progress.snapshot();
    if (!done.totalsKnown && !failure && !run.stop.signal.aborted && !latest?.failed)
      progress.listener({ type: "totals", files: filesDone(done), bytes: bytesDone(done) });
  }
  const stopAsked = !run.leaseLost && run.stop.signal.aborted && (await run.stopAsked());
  const handBack = shutdown.aborted && !stopAsked && !failure;
  if (!run.leaseLost && !handBack) {
    // The job ends when its last unit does. Stopped, the units running stop with their next
    // renewal (or their lease runs out); failed, no unit starts any more and those running finish.
    // Queued units are ended on every pass: a lost unit can go back to the queue meanwhile.
    const why = stopAsked
      ? "The job was stopped before this part started."
      : "Another part of the job failed; this one was not started.";
    while (!run.leaseLost) {
      await endQueuedUnits(job.id, why);
      if ((await openUnits(job.id)) === 0) break;
      await pause();
    }
    // What units lost mid-download left, on any host, once none can run any more.
    if (pull && !run.leaseLost && (await lostUnits(job.id)) > 0)
      await sweepLeftovers().catch((e: unknown) => log.write("warn", "leftovers-not-removed", { message: String(e) }));
  }
  await run.end();

  const recordEnd = async (): Promise<boolean> => {
    if (run.leaseLost) return false;
    let end: Record<string, unknown>;
    let line: string;
    if (handBack) {
      end = { state: JOB_STATES.QUEUED, workerId: null, leaseToken: lease.token + 1, leaseExpiresAt: null };
      line = log.line("info", "job-handed-back", { reason: "the worker is shutting down; its units go on" });
    } else {
      const summary = await summariseUnits(job.id, true);
      const { state, error } = await outcomeOf(job.id, summary, failure, stopAsked);
      const first = await db().jobUnit.findFirst({
        where: { jobId: job.id, readMode: { not: null } },
        orderBy: { index: "asc" },
      });
      end = { state, error: storableText(error), endTime: databaseNow(), readMode: first?.readMode ?? undefined };
      line = log.line(state === JOB_STATES.SUCCEEDED ? "info" : "warn", "job-end", { outcome: state, error });
    }
    await log.settle();
    try {
      await write(end, line);
      // Units never started, of a job stopped, end with it.
      if (!handBack) await endQueuedUnits(job.id, "The job was stopped before this part started.");
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }
    return !handBack;
  };

  const recorded = await run.settle(recordEnd());
  if (recorded)
    await pruneEntryLists(job.relationshipId).catch((e: unknown) =>
      log.write("warn", "entry-lists-not-pruned", { message: String(e) }),
    );
  else if (run.leaseLost)
    log.write("warn", "job-left", { reason: "the lease was lost; the worker holding it now records the outcome" });
  await log.close();
}

async function outcomeOf(
  jobId: string,
  summary: UnitsSummary,
  failure: string | undefined,
  stopped: boolean,
): Promise<{ state: string; error: string }> {
  if (failure) return { state: JOB_STATES.FAILED, error: failure };
  if (summary.failed) return { state: JOB_STATES.FAILED, error: summary.failed.error };
  if (stopped) return { state: JOB_STATES.ABORTED, error: "The job was stopped before it finished." };
  const failed = Number(summary.counts.filesFailed ?? 0n);
  if (failed === 0) return { state: JOB_STATES.SUCCEEDED, error: "" };
  const first = await db().jobFileError.findMany({ where: { jobId }, orderBy: { id: "asc" }, take: 3 });
  return {
    state: JOB_STATES.COMPLETED_WITH_ERRORS,
    error: filesFailedMessage(
      failed,
      first.map((row) => row.path),
      { one: "file", many: "files", verb: "copied" },
    ),
  };
}

/** Counts the files and bytes the units will consider, as the engine's own walk would. */
async function walkTotals(
  tree: Awaited<ReturnType<typeof relationshipTree>>,
  signal: AbortSignal,
  see: (entry: Parameters<WalkCutter["see"]>[0]) => void,
): Promise<{ files: bigint; bytes: bigint }> {
  const handle = tree.open();
  try {
    let files = 0n;
    let bytes = 0n;
    for await (const entry of walkTree(handle, signal, { maxPathBytes: tree.maxPathBytes })) {
      if (entry.kind === "file" && !entry.error) {
        files++;
        bytes += entry.stat!.size;
      }
      see(entry);
    }
    return { files, bytes };
  } finally {
    handle.close();
  }
}

/** Inserted at most once each: a write whose reply was lost may have committed them already. */
async function insertUnits(tx: Prisma.TransactionClient, jobId: string, units: UnitCut[]): Promise<void> {
  for (let i = 0; i < units.length; i += INSERT_UNITS) {
    const rows = units
      .slice(i, i + INSERT_UNITS)
      .map((u) => Prisma.sql`(${jobId}, ${u.index}, ${u.lowerBound}, ${u.upperBound}, ${UNIT_STATES.QUEUED})`);
    await tx.$executeRaw`INSERT INTO "JobUnit" ("jobId", index, "lowerBound", "upperBound", state)
      VALUES ${Prisma.join(rows)} ON CONFLICT DO NOTHING`;
  }
}

const endQueuedUnits = (jobId: string, error: string) =>
  db().jobUnit.updateMany({
    where: { jobId, state: UNIT_STATES.QUEUED },
    data: { state: UNIT_STATES.DONE, outcome: "ABORTED", error },
  });
const openUnits = (jobId: string) => db().jobUnit.count({ where: { jobId, state: { not: UNIT_STATES.DONE } } });
/** Units an attempt of which was lost: only such an attempt can have left temporary files behind. */
const lostUnits = (jobId: string) => db().jobUnit.count({ where: { jobId, takeovers: { gt: 0 } } });

function pause(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, WAIT_MS);
    signal?.addEventListener("abort", done, { once: true });
  });
}
