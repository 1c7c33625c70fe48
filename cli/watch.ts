import cliProgress from "cli-progress";
import { formatBytes, formatTimeLeft } from "@/lib/format";
import type { RelationshipStatus } from "@/lib/replication/views";

type Status = RelationshipStatus;

/** How long polls stay quick: a job of a few seconds ends the command within a tenth of a second. */
const QUICK_POLLS_MS = 3000;
const QUICK_POLL_MS = 100;

/**
 * Polls a relationship's status, drawing a progress bar on stderr until no job runs: every tenth
 * of a second for the first seconds, then every `intervalMs`, so that a long job costs the server
 * one request a second.
 */
export async function watchStatus(fetchStatus: () => Promise<Status>, intervalMs = 1000): Promise<Status> {
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      format: "{bar} {percentage}% | {remaining} left | {files} files left | {speed}/s | ETA {eta}",
      hideCursor: true,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { remaining: "counting…", files: "?", speed: "0 B", eta: "--" });
  try {
    for (;;) {
      const status = await fetchStatus();
      const job = status.current_job;
      if (!job) {
        if (status.last_job?.outcome === "SUCCEEDED") bar.update(100, { remaining: "0 B", files: "0", eta: "0m0s" });
        return status;
      }
      const p = job.job_progress;
      bar.update(p.percent_complete ?? 0, {
        remaining: p.bytes_remaining === null ? "counting…" : formatBytes(Number(p.bytes_remaining)),
        files: p.files_remaining ?? "?",
        speed: formatBytes(p.throughput_current),
        eta: formatTimeLeft(job.estimated_end_time),
      });
      const wait = Date.now() - started < QUICK_POLLS_MS ? Math.min(QUICK_POLL_MS, intervalMs) : intervalMs;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  } finally {
    bar.stop();
  }
}
