import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { spawnS3rver } from "@/lib/process/child-processes";

export const DEMO_BUCKET = "demo";
export const DEMO_ACCESS_KEY = "S3RVER";
export const DEMO_SECRET_KEY = "S3RVER";

/** A local S3-compatible endpoint with a demo bucket, so a first copy needs no cloud account. */
export async function startDemoS3(dataDir: string, port: number): Promise<{ child: ChildProcess; endpoint: string }> {
  const directory = path.join(dataDir, "demo-s3");
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const started = await spawnS3rver(directory, port, [DEMO_BUCKET]);
  return { child: started.child, endpoint: `http://127.0.0.1:${started.port}` };
}
