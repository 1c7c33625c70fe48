import { FilePartialsLedger } from "@/lib/engine/partials-journal";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { copyFromObject } from "@/lib/engine/copy-from-object";
import { copyToObject } from "@/lib/engine/copy-to-object";
import type { CopyResult } from "@/lib/engine/job-failures";
import type { EngineEvent } from "@/lib/engine/events";
import type { Completions, DoneMark } from "@/lib/engine/completions";
import type { KeyRange } from "@/lib/engine/key-range";
import { ProgressTracker } from "@/lib/engine/progress";
import type { ProgressSnapshot } from "@/lib/progress/fields";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { createObjectStore } from "@/lib/s3/client";
import type { ObjectStore } from "@/lib/s3/object-store";
import type { S3Store } from "@/lib/s3/s3-store";
import { S3RVER_KEY, S3RVER_SECRET } from "./s3-server";

export function makeTempDir(prefix = "s3shift-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeFile(root: string, relPath: string, content: string | Buffer): string {
  const file = path.join(root, relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export function engineStore(endpoint: string, maxAttempts = 3, requestTimeoutMs?: number): S3Store {
  return createObjectStore(
    {
      objectStoreAddress: endpoint.replace(/:\d+$/, ""),
      port: Number(endpoint.split(":").pop()),
      allowPlainHttp: true,
      region: "us-east-1",
      bucketStyle: "BUCKET_STYLE_PATH",
      caCertificate: null,
      accessKeyId: S3RVER_KEY,
      secretAccessKey: S3RVER_SECRET,
    },
    { maxAttempts, connectionTimeoutMs: 2_000, requestTimeoutMs },
  );
}

export interface RunOptions {
  /** The S3 server the job talks to, unless it is given a `store` (a MemoryStore) instead. */
  endpoint?: string;
  store?: ObjectStore;
  bucket: string;
  directory: string;
  /** The inode the directory must still have (the relationship's local_directory_id). */
  directoryIno?: bigint;
  /** And its birth time (nanoseconds), where the file system keeps one. */
  directoryBirthNs?: bigint;
  trackingFile: string;
  folder?: string;
  signal?: AbortSignal;
  multipartThreshold?: number;
  /** Tracked files per parallel listing range (production: LISTING_RANGE_FILES). */
  listingRangeFiles?: number;
  maxAttempts?: number;
  /** Socket inactivity after which a request is given up and retried (the production default is 120 s). */
  requestTimeoutMs?: number;
  onEvent?: (event: EngineEvent) => void;
  /** A work unit's keys, what it is told of its progress, and what an earlier attempt of it did. */
  unit?: { range: KeyRange; completions: Completions; resumeFrom?: DoneMark };
}

export interface RunOutcome extends CopyResult {
  events: EngineEvent[];
  progress: ProgressSnapshot;
}

/** Runs one copy-to-S3 job the way the worker does, collecting its events and final progress. */
export function runCopyJob(options: RunOptions): Promise<RunOutcome> {
  return runWithHarness(options, ({ tracking, emit, store }) =>
    copyToObject({
      jobId: crypto.randomUUID(),
      directory: options.directory,
      directoryIno: options.directoryIno,
      directoryBirthNs: options.directoryBirthNs,
      store,
      bucket: options.bucket,
      folder: options.folder ?? "",
      tracking,
      signal: options.signal ?? new AbortController().signal,
      emit,
      concurrency: 8,
      bufferBudgetBytes: 64 * 1024 * 1024,
      listingRangeFiles: options.listingRangeFiles,
      ...options.unit,
      transfer: {
        multipartThreshold: options.multipartThreshold ?? 16 * 1024 * 1024,
        minPartSize: 5 * 1024 * 1024,
        parallelParts: 4,
        stableReadAttempts: 4,
        sendSha256Checksum: false,
      },
    }),
  );
}

export interface DownloadRunOptions extends Omit<RunOptions, "multipartThreshold"> {
  rangeThreshold?: number;
}

/** Runs one copy-from-S3 job the way the worker does, collecting its events and final progress. */
export function runDownloadJob(options: DownloadRunOptions): Promise<RunOutcome> {
  return runWithHarness(options, ({ tracking, emit, store }) =>
    copyFromObject({
      directory: options.directory,
      directoryIno: options.directoryIno,
      directoryBirthNs: options.directoryBirthNs,
      store,
      bucket: options.bucket,
      folder: options.folder ?? "",
      tracking,
      signal: options.signal ?? new AbortController().signal,
      emit,
      concurrency: 8,
      bufferBudgetBytes: 64 * 1024 * 1024,
      partials: new FilePartialsLedger(options.trackingFile.replace(/\.db$/, "") + ".partials"),
      ...options.unit,
      listingRangeFiles: options.listingRangeFiles,
      download: {
        rangeThreshold: options.rangeThreshold ?? 16 * 1024 * 1024,
        minPartSize: 5 * 1024 * 1024,
        parallelParts: 4,
        bodyAttempts: 3,
        durableWrites: true,
        smallObjectsInFlight: 16,
      },
    }),
  );
}

interface HarnessParts {
  tracking: TrackingStore;
  store: ObjectStore;
  emit: (event: EngineEvent) => void;
}

async function runWithHarness(
  options: Pick<RunOptions, "trackingFile" | "endpoint" | "store" | "maxAttempts" | "requestTimeoutMs" | "onEvent">,
  job: (parts: HarnessParts) => Promise<CopyResult>,
): Promise<RunOutcome> {
  const tracking = new TrackingStore(options.trackingFile);
  const progress = new ProgressTracker();
  const events: EngineEvent[] = [];
  if (!options.store && !options.endpoint) throw new Error("a job needs an endpoint or a store");
  const own = options.store ? undefined : engineStore(options.endpoint!, options.maxAttempts, options.requestTimeoutMs);
  const store = options.store ?? own!;
  const emit = (event: EngineEvent) => {
    events.push(event);
    progress.listener(event);
    options.onEvent?.(event);
  };
  try {
    const result = await job({ tracking, store, emit });
    return { ...result, events, progress: progress.snapshot() };
  } finally {
    tracking.close();
    own?.destroy();
  }
}

export async function listKeys(client: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function readObject(client: S3Client, bucket: string, key: string) {
  const reply = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await reply.Body!.transformToByteArray());
  return { body, contentType: reply.ContentType, metadata: reply.Metadata ?? {}, etag: reply.ETag };
}

export async function headObject(client: S3Client, bucket: string, key: string) {
  return client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

export const sha256Hex = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");
