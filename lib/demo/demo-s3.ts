import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { demoSecretFile, demoStoreDirectory } from "@/lib/data-paths";
import { derivedKey } from "@/lib/secrets/secret-key";

export const DEMO_BUCKET = "demo";
export const DEMO_ACCESS_KEY = "S3SHIFTDEMO";

/** The demo endpoint's secret: its own per data directory, so no one else's copy of the product knows it. */
export function demoSecretKey(): string {
  return derivedKey("demo-s3-secret").slice(0, 40);
}

/**
 * Writes the secret to a file only the service's user can read and returns its path: the console
 * output of `npm start` may end up in a shared log, so the secret is never printed.
 */
export function writeDemoSecretFile(): string {
  const file = demoSecretFile();
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, demoSecretKey() + "\n", { mode: 0o600, flag: "wx" });
  return file;
}

const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/demo-s3.ts");

/**
 * A local S3 endpoint with a demo bucket, so a first copy needs no cloud account. It runs in its
 * own process so that nothing sent to it can stop the service.
 */
export async function startDemoS3(port: number): Promise<{ child: ChildProcess; endpoint: string }> {
  const directory = demoStoreDirectory();
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, directory, String(port), DEMO_BUCKET], {
    stdio: ["ignore", "pipe", "inherit"],
    // The secret goes by environment, not argv: any local user can read a process's arguments.
    env: { ...process.env, DEMO_S3_ACCESS_KEY: DEMO_ACCESS_KEY, DEMO_S3_SECRET_KEY: demoSecretKey() },
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) =>
      reject(new Error(`the demo S3 endpoint exited with code ${code} (is port ${port} free?)`)),
    );
  });
  return { child, endpoint: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
}
