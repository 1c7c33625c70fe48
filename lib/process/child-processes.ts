import type { ChildProcess } from "node:child_process";

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
