import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { spawnS3rver, terminateAll } from "@/lib/process/child-processes";

export const S3RVER_KEY = "S3RVER";
export const S3RVER_SECRET = "S3RVER";

export interface S3TestServer {
  port: number;
  endpoint: string;
  directory: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 in its own process (so its work does not share the test's event loop). */
export async function startS3Server(buckets: string[], port = 0): Promise<S3TestServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-s3rver-"));
  const { child, port: bound } = await spawnS3rver(directory, port, buckets);
  return {
    port: bound,
    endpoint: `http://127.0.0.1:${bound}`,
    directory,
    process: child,
    async stop() {
      await terminateAll([child]);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A plain SDK client for checking the bucket independently of the engine. */
export function inspectionClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
