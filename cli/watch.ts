import type { RelationshipStatus } from "@/lib/replication/views";
import { progressLine, renderLine } from "./progress-line";

type Status = RelationshipStatus;

/** How long polls stay quick: a job of a few seconds ends the command within a tenth of a second. */
const QUICK_POLLS_MS = 3000;
const QUICK_POLL_MS = 100;
/** Without a terminal (a log, a pipe) a line at most this often, so a long job does not flood it. */
const LOG_LINE_EVERY_MS = 5000;

/**
 * One status line on a stream: redrawn in place on a terminal; elsewhere written as a new line
 * when it changed and some seconds have passed (and always for the last one).
 */
class StatusLine {
  private lastLine: string | undefined;
  private lastAt = 0;
  drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  show(line: string, { last = false } = {}): void {
    if (this.stream.isTTY) {
      const width = Math.max(20, (this.stream.columns || 80) - 1);
      this.stream.write(`\r${line.slice(0, width)}\x1b[K`);
    } else {
      if (line === this.lastLine || (!last && this.drawn && Date.now() - this.lastAt < LOG_LINE_EVERY_MS)) return;
      this.stream.write(`${line}\n`);
      this.lastLine = line;
      this.lastAt = Date.now();
    }
    this.drawn = true;
  }

  end(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write("\n");
  }
}

/**
 * Polls a relationship's status, drawing a progress line on stderr while a job runs: every tenth
 * of a second for the first seconds, then every `intervalMs`, so that a long job costs the server
 * one request a second. A relationship with no job running returns at once, with nothing drawn.
 */
export async function watchStatus(
  fetchStatus: () => Promise<Status>,
  { intervalMs = 1000, stream = process.stderr }: { intervalMs?: number; stream?: NodeJS.WriteStream } = {},
): Promise<Status> {
  const started = Date.now();
  const line = new StatusLine(stream);
  try {
    for (;;) {
      const status = await fetchStatus();
      const job = status.current_job;
      if (!job) {
        if (line.drawn && status.last_job?.outcome === "SUCCEEDED")
          line.show(renderLine({ fraction: 1, text: "100%" }), { last: true });
        return status;
      }
      line.show(renderLine(progressLine(status.direction, job, Date.now())));
      const wait = Date.now() - started < QUICK_POLLS_MS ? Math.min(QUICK_POLL_MS, intervalMs) : intervalMs;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  } finally {
    line.end();
  }
}
