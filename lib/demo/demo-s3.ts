import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";

export const DEMO_BUCKET = "demo";
export const DEMO_ACCESS_KEY = "S3RVER";
export const DEMO_SECRET_KEY = "S3RVER";

const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/s3rver.mjs");

/** A local S3-compatible endpoint (s3rver) with a demo bucket, so a first copy needs no cloud account. */
export async function startDemoS3(dataDir: string, port: number): Promise<{ child: ChildProcess; endpoint: string }> {
  const directory = path.join(dataDir, "demo-s3");
  fs.mkdirSync(directory, { recursive: true });
  const child = spawn(process.execPath, ["--openssl-legacy-provider", SCRIPT, directory, String(port), DEMO_BUCKET], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the demo S3 endpoint exited with code ${code} (is port ${port} free?)`)));
  });
  const bound = (JSON.parse(line) as { port: number }).port;
  return { child, endpoint: `http://127.0.0.1:${bound}` };
}
