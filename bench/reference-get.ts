// The reference for download figures: the plainest client one could write — the SDK's GetObject
// for every key of a folder, `concurrency` in flight, each body written straight to its path with
// no temporary file, no verification and no tracking. Prints one JSON line like bench/job.ts.
import fs from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { benchClient } from "./client";

const args = JSON.parse(process.argv[2]!) as {
  endpoint: string;
  bucket: string;
  folder: string;
  directory: string;
  concurrency: number;
};
const client = benchClient(args.endpoint, args.concurrency);
const started = performance.now();
const keys: string[] = [];
let token: string | undefined;
do {
  const page = await client.send(
    new ListObjectsV2Command({ Bucket: args.bucket, Prefix: args.folder, ContinuationToken: token }),
  );
  keys.push(...(page.Contents ?? []).map((o) => o.Key!));
  token = page.IsTruncated ? page.NextContinuationToken : undefined;
} while (token);
let next = 0;
let bytes = 0;
async function lane() {
  while (next < keys.length) {
    const key = keys[next++]!;
    const reply = await client.send(new GetObjectCommand({ Bucket: args.bucket, Key: key }));
    const target = path.join(args.directory, key.slice(args.folder.length));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, reply.Body as NodeJS.ReadableStream);
    bytes += Number(reply.ContentLength ?? 0);
  }
}
await Promise.all(Array.from({ length: args.concurrency }, lane));
const ms = performance.now() - started;
client.destroy();
console.log(
  JSON.stringify({
    outcome: "SUCCEEDED",
    error: "",
    ms,
    filesTransferred: keys.length,
    filesUnchanged: 0,
    bytesTransferred: bytes,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
