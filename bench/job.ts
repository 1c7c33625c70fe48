// One copy-to-S3 job in its own process, run as the worker runs it; prints one JSON line with
// the job's duration, outcome, counters and this process's peak RSS.
import crypto from "node:crypto";
import { copyToObject } from "@/lib/engine/copy-to-object";
import { ProgressTracker } from "@/lib/engine/progress";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { createS3Client } from "@/lib/s3/client";

const MiB = 1024 * 1024;
const args = JSON.parse(process.argv[2]!) as { endpoint: string; bucket: string; folder: string; directory: string; trackingFile: string; concurrency: number };
const url = new URL(args.endpoint);
const client = createS3Client(
  {
    objectStoreAddress: `${url.protocol}//${url.hostname}`,
    port: Number(url.port),
    allowPlainHttp: true,
    region: "us-east-1",
    bucketStyle: "BUCKET_STYLE_PATH",
    caCertificate: null,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  },
  { maxSockets: args.concurrency },
);
const tracking = new TrackingStore(args.trackingFile);
const progress = new ProgressTracker();
const started = performance.now();
const result = await copyToObject({
  jobId: crypto.randomUUID(),
  directory: args.directory,
  client,
  bucket: args.bucket,
  folder: args.folder,
  tracking,
  signal: new AbortController().signal,
  emit: progress.listener,
  concurrency: args.concurrency,
  bufferBudgetBytes: 256 * MiB,
  transfer: { multipartThreshold: 32 * MiB, minPartSize: 8 * MiB, parallelParts: 8, stableReadAttempts: 5, sendSha256Checksum: false },
});
const ms = performance.now() - started;
tracking.close();
client.destroy();
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
