// One job in its own process, run as the worker runs it (copy to S3, or with "direction": "from",
// copy from S3); prints one JSON line with the job's duration, outcome, counters and this
// process's peak RSS. BENCH_DURABLE=0 turns off the per-file fdatasync of downloads.
import { FilePartialsLedger } from "@/lib/engine/partials-journal";
import crypto from "node:crypto";
import { copyFromObject } from "@/lib/engine/copy-from-object";
import { copyToObject } from "@/lib/engine/copy-to-object";
import { ProgressTracker } from "@/lib/engine/progress";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { BUFFER_BUDGET_BYTES, DOWNLOAD_SETTINGS, storeSockets, uploadSettings } from "@/lib/jobs/engine-settings";
import { benchStore } from "./client";

const args = JSON.parse(process.argv[2]!) as {
  endpoint: string;
  bucket: string;
  folder: string;
  directory: string;
  trackingFile: string;
  concurrency: number;
  direction?: "to" | "from";
  /** Tracked files per parallel listing range (the engine's default unless given). */
  listingRangeFiles?: number;
};
const store = benchStore(args.endpoint, storeSockets(args.concurrency));
const tracking = new TrackingStore(args.trackingFile);
const progress = new ProgressTracker();
const common = {
  directory: args.directory,
  store,
  bucket: args.bucket,
  folder: args.folder,
  tracking,
  signal: new AbortController().signal,
  emit: progress.listener,
  concurrency: args.concurrency,
  bufferBudgetBytes: BUFFER_BUDGET_BYTES,
};
const started = performance.now();
const result =
  args.direction === "from"
    ? await copyFromObject({
        ...common,
        partials: new FilePartialsLedger(`${args.trackingFile}.partials`),
        listingRangeFiles: args.listingRangeFiles,
        download: { ...DOWNLOAD_SETTINGS, durableWrites: process.env.BENCH_DURABLE !== "0" },
      })
    : await copyToObject({
        ...common,
        jobId: crypto.randomUUID(),
        listingRangeFiles: args.listingRangeFiles,
        transfer: uploadSettings(false),
      });
const ms = performance.now() - started;
tracking.close();
store.destroy();
const p = progress.snapshot();
console.log(
  JSON.stringify({
    outcome: result.outcome,
    error: result.error,
    ms,
    filesTransferred: Number(p.filesTransferred),
    filesUnchanged: Number(p.filesUnchanged),
    bytesTransferred: Number(p.bytesTransferred),
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
