// What the store itself can take through the SDK, as a reference for upload figures: `count`
// objects of `size` random bytes from memory (no disk, no hashing, no tracking), PutObject for
// small ones, multipart (16 MiB parts) for large ones, `concurrency` requests in flight.
// Prints one JSON line like bench/job.ts.
import crypto from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { benchClient } from "./client";

const args = JSON.parse(process.argv[2]!) as {
  endpoint: string;
  bucket: string;
  folder: string;
  count: number;
  size: number;
  concurrency: number;
};
const client = benchClient(args.endpoint, args.concurrency);
const PART = 16 * 1024 * 1024;
const body = crypto.randomBytes(Math.min(args.size, PART));
const tasks: (() => Promise<void>)[] = [];
for (let i = 0; i < args.count; i++) {
  const key = `${args.folder}ref-${i}`;
  if (args.size <= PART) {
    tasks.push(
      async () => void (await client.send(new PutObjectCommand({ Bucket: args.bucket, Key: key, Body: body }))),
    );
    continue;
  }
  tasks.push(async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: args.bucket, Key: key }));
    const parts = Math.ceil(args.size / PART);
    const etags: string[] = [];
    await Promise.all(
      Array.from({ length: parts }, async (_, n) => {
        const reply = await client.send(
          new UploadPartCommand({ Bucket: args.bucket, Key: key, UploadId, PartNumber: n + 1, Body: body }),
        );
        etags[n] = reply.ETag!;
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: args.bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, n) => ({ ETag, PartNumber: n + 1 })) },
      }),
    );
  });
}
const started = performance.now();
let next = 0;
// Large objects run two at a time (each with all its parts in flight); small ones `concurrency` at a time.
const lanes = args.size > PART ? 2 : args.concurrency;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    while (next < tasks.length) await tasks[next++]!();
  }),
);
const ms = performance.now() - started;
client.destroy();
console.log(
  JSON.stringify({
    outcome: "SUCCEEDED",
    error: "",
    ms,
    filesTransferred: args.count,
    filesUnchanged: 0,
    bytesTransferred: args.count * args.size,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
