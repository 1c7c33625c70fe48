import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { S3Client } from "@aws-sdk/client-s3";

export const S3RVER_KEY = "S3RVER";
export const S3RVER_SECRET = "S3RVER";
const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/s3rver.mjs");

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
  const child = spawn(process.execPath, ["--openssl-legacy-provider", SCRIPT, directory, String(port), ...buckets], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const bound = (JSON.parse(line) as { port: number }).port;
  return {
    port: bound,
    endpoint: `http://127.0.0.1:${bound}`,
    directory,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
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
