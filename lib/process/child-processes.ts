import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import path from "node:path";

/** How long a child may take over a graceful stop before it is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * Sends SIGTERM to each child still running and resolves once all have exited; one still running
 * after the grace period (a web server waiting on a browser's idle connection, say) gets SIGKILL,
 * so that stopping never hangs.
 */
export async function terminateAll(children: ChildProcess[], graceMs = STOP_GRACE_MS): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

const S3RVER_SCRIPT = path.resolve(import.meta.dirname, "../../scripts/s3rver.mjs");

/**
 * Runs s3rver (a local S3-compatible server) on 127.0.0.1 in its own process; port 0 picks a
 * free port. Resolves once it listens.
 */
export async function spawnS3rver(directory: string, port: number, buckets: string[]): Promise<{ child: ChildProcess; port: number }> {
  // --openssl-legacy-provider: without it, s3rver's listings past 1,000 keys fail.
  const child = spawn(process.execPath, ["--openssl-legacy-provider", S3RVER_SCRIPT, directory, String(port), ...buckets], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`s3rver exited with code ${code} (is port ${port} free?)`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}
