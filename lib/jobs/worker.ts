import os from "node:os";
import crypto from "node:crypto";
import { getConfig } from "@/lib/config";
import { syncDatabaseClock } from "@/lib/db/database-clock";
import { claimNextJob } from "./claim-next-job";
import { runJob } from "./run-job";
import { runUnit } from "./units/run-unit";
import { claimNextUnit, takeOverLostUnits } from "./units/unit-lease";
import { takeOverLostJobs } from "./take-over-lost-jobs";
import { beatWorker, forgetSilentWorkers, markWorkerStopped, registerWorker } from "./worker-registry";

const POLL_MS = 250;
const BEAT_EVERY_MS = 1_000;
const TAKE_OVER_EVERY_MS = 2_000;
const CLOCK_SYNC_EVERY_MS = 60_000;

export interface Worker {
  id: string;
  /** Stops claiming, interrupts running jobs, and resolves once they have recorded their end. */
  stop(): Promise<void>;
}

/**
 * Registers this worker, then claims queued jobs and runs up to `jobConcurrency` of them at once,
 * beating while it lives and handing on the jobs of workers whose leases ran out.
 */
export async function startWorker({ log = console.log }: { log?: (line: string) => void } = {}): Promise<Worker> {
  const config = getConfig();
  const id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  await syncDatabaseClock();
  await registerWorker(id);
  const shutdown = new AbortController();
  /** Work holding one of the worker's slots: a job run whole, or a unit. */
  const running = new Set<Promise<void>>();
  /** Everything under way, the jobs it coordinates included. */
  const all = new Set<Promise<void>>();
  const last = { beat: Date.now(), takeOver: 0, clock: Date.now() };

  const every = async (what: keyof typeof last, ms: number, task: () => Promise<void>) => {
    if (Date.now() - last[what] < ms) return;
    last[what] = Date.now();
    await task();
  };

  const tick = async () => {
    await every("beat", BEAT_EVERY_MS, () => beatWorker(id));
    await every("clock", CLOCK_SYNC_EVERY_MS, async () => {
      await syncDatabaseClock();
      await forgetSilentWorkers();
    });
    await every("takeOver", TAKE_OVER_EVERY_MS, async () => {
      const { requeued, ended } = await takeOverLostJobs();
      if (requeued > 0) log(`worker: ${requeued} job(s) of a lost worker put back in the queue`);
      if (ended > 0) log(`worker: ${ended} job(s) of a lost worker ended`);
      const units = await takeOverLostUnits();
      if (units > 0) log(`worker: ${units} work unit(s) of a lost worker put back in the queue`);
    });
    // Jobs first: a job split into units holds no slot, and its units are claimed next.
    while (!shutdown.signal.aborted && running.size < config.jobConcurrency) {
      const claimSent = performance.now();
      const job = await claimNextJob(id);
      if (job) {
        log(`worker: running job ${job.id} of relationship ${job.relationshipId}`);
        const task: Promise<void> = runJob(job, {
          shutdown: shutdown.signal,
          log,
          leaseSince: claimSent,
          onSplit: () => running.delete(task),
        })
          .catch((error) => log(`worker: job ${job.id} could not be recorded: ${error}`))
          .finally(() => {
            running.delete(task);
            all.delete(task);
          });
        running.add(task);
        all.add(task);
        continue;
      }
      const unit = await claimNextUnit(id);
      if (!unit) break;
      log(`worker: running unit ${unit.index} of job ${unit.jobId}`);
      const task: Promise<void> = runUnit(unit, { shutdown: shutdown.signal, log, leaseSince: claimSent })
        .catch((error) => log(`worker: unit ${unit.index} of job ${unit.jobId} could not be recorded: ${error}`))
        .finally(() => {
          running.delete(task);
          all.delete(task);
        });
      running.add(task);
      all.add(task);
    }
  };

  const loop = (async () => {
    while (!shutdown.signal.aborted) {
      try {
        await tick();
      } catch (error) {
        log(`worker: ${error instanceof Error ? error.message : error}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();

  return {
    id,
    async stop() {
      shutdown.abort();
      await loop;
      await Promise.all(all);
      await markWorkerStopped(id).catch((error: unknown) => log(`worker: could not record its stop: ${error}`));
    },
  };
}
