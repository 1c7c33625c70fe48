import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import readline from "node:readline";
import { terminateAll } from "@/lib/process/child-processes";

const S3RVER_SCRIPT = path.resolve(import.meta.dirname, "../../scripts/s3rver.mjs");

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

/**
 * Runs s3rver (a local S3-compatible server) on 127.0.0.1 in its own process; port 0 picks a
 * free port. Resolves once it listens.
 */
async function spawnS3rver(
  directory: string,
  port: number,
  buckets: string[],
): Promise<{ child: ChildProcess; port: number }> {
  // --openssl-legacy-provider: without it, s3rver's listings past 1,000 keys fail.
  const child = spawn(
    process.execPath,
    ["--openssl-legacy-provider", S3RVER_SCRIPT, directory, String(port), ...buckets],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`s3rver exited with code ${code} (is port ${port} free?)`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}
