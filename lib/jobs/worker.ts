import os from "node:os";
import crypto from "node:crypto";
import { getConfig } from "@/lib/config";
import { claimNextJob } from "./claim-next-job";
import { recoverInterruptedJobs } from "./recover-interrupted-jobs";
import { runJob } from "./run-job";

const POLL_MS = 250;
const RECOVERY_EVERY_MS = 5_000;

export interface Worker {
  id: string;
  /** Stops claiming, interrupts running jobs, and resolves once they have recorded their end. */
  stop(): Promise<void>;
}

/** Claims queued jobs from the database and runs up to `jobConcurrency` of them at once. */
export function startWorker({ log = console.log }: { log?: (line: string) => void } = {}): Worker {
  const config = getConfig();
  const id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  const shutdown = new AbortController();
  const running = new Set<Promise<void>>();
  let lastRecovery = 0;

  const tick = async () => {
    if (Date.now() - lastRecovery > RECOVERY_EVERY_MS) {
      lastRecovery = Date.now();
      const recovered = await recoverInterruptedJobs();
      if (recovered > 0) log(`worker: marked ${recovered} job(s) of a stopped worker as interrupted`);
    }
    while (!shutdown.signal.aborted && running.size < config.jobConcurrency) {
      const job = await claimNextJob(id);
      if (!job) break;
      log(`worker: running job ${job.id} of relationship ${job.relationshipId}`);
      const task = runJob(job, { shutdown: shutdown.signal })
        .catch((error) => log(`worker: job ${job.id} could not be recorded: ${error}`))
        .finally(() => running.delete(task));
      running.add(task);
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
      await Promise.all(running);
    },
  };
}
