import fs from "node:fs";
import path from "node:path";
import { relationshipLogFile } from "@/lib/data-paths";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import type { EngineEvent } from "@/lib/engine/events";

/** Events worth a line in the replication log; per-file successes would drown the rest. */
const LOGGED: ReadonlySet<EngineEvent["type"]> = new Set([
  "mode",
  "totals",
  "file-failed",
  "file-skipped",
  "file-reread",
  "retry",
  "multipart-aborted",
  "leftovers-removed",
  "multipart-resumed",
  "orphan-upload-aborted",
]);

/** Where a job's log lines go: the relationship's log file, or the shared database. */
interface LogSink {
  append(line: string): void;
  close(): Promise<void>;
}

type Transaction = Prisma.TransactionClient;

/** Appends structured (JSON) lines for one job to its relationship's replication log. */
export class JobLog {
  private readonly sink: LogSink;
  private readonly context: Record<string, unknown>;

  constructor(
    relationshipId: string,
    private readonly jobId: string,
    options: {
      shared?: boolean;
      onWriteFailed?: (message: string) => void;
      /** Fields every line carries (a work unit's number). */
      context?: Record<string, unknown>;
    } = {},
  ) {
    this.context = options.context ?? {};
    this.sink = options.shared
      ? new DatabaseSink(relationshipId, jobId, options.onWriteFailed ?? console.error)
      : new FileSink(relationshipId);
  }

  write(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): void {
    this.sink.append(this.line(level, event, fields));
  }

  line(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): string {
    const line = { time: new Date().toISOString(), level, job: this.jobId, ...this.context, event, ...fields };
    return JSON.stringify(line, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }

  /**
   * Writes the lines held so far and `last` within `tx` (the job's last write, with its
   * outcome): once the job shows as ended, its log is whole. Should `tx` fail, the held lines are
   * kept for later and `last` is dropped. Only where the log is in the database.
   */
  async writeIn(tx: Transaction, last: string): Promise<{ committed(): void; rolledBack(): void }> {
    if (!(this.sink instanceof DatabaseSink)) throw new Error("a log file is not written in a transaction");
    return this.sink.writeIn(tx, last);
  }

  /** Where the log is in the database: waits for the batch on its way, and sends no more until the last write. */
  async settle(): Promise<void> {
    if (this.sink instanceof DatabaseSink) await this.sink.settle();
  }

  readonly listener = (event: EngineEvent): void => {
    if (!LOGGED.has(event.type)) return;
    const { type, ...fields } = event;
    const level =
      type === "file-failed" || type === "multipart-aborted"
        ? "error"
        : type === "mode" || type === "totals" || type === "multipart-resumed"
          ? "info"
          : "warn";
    this.write(level, type, fields);
  };

  close(): Promise<void> {
    return this.sink.close();
  }
}

class FileSink implements LogSink {
  private readonly stream: fs.WriteStream;

  constructor(relationshipId: string) {
    const file = relationshipLogFile(relationshipId);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // The worker keeps the usual umask (the files it restores belong to the share's users), so its own
    // files say their mode; a link put in the log's place is refused, not written through.
    const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
    this.stream = fs.createWriteStream(file, { fd });
  }

  append(line: string): void {
    this.stream.write(`${line}\n`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}

const DATABASE_BATCH_MS = 500;
const DATABASE_BATCH_LINES = 500;
/** Lines held while the database cannot take them; beyond this the oldest are dropped, and counted. */
const DATABASE_HELD_LINES = 20_000;

/**
 * Lines in the shared database, where the console of any host reads them. They are sent in
 * batches, apart from the job's lease: a worker that lost its job still says so in the log. A log
 * line is never worth failing or slowing a job for, so a failed batch is kept and sent again.
 */
class DatabaseSink implements LogSink {
  private held: string[] = [];
  private dropped = 0;
  private failing = false;
  /** The batch on its way, if any: one at a time, whatever the rate of lines. */
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly relationshipId: string,
    private readonly jobId: string,
    private readonly onWriteFailed: (message: string) => void,
  ) {
    this.timer = setInterval(() => void this.send(), DATABASE_BATCH_MS);
    this.timer.unref();
  }

  append(line: string): void {
    this.held.push(line);
    if (this.held.length > DATABASE_HELD_LINES) {
      this.held.shift();
      this.dropped++;
    }
    if (this.held.length >= DATABASE_BATCH_LINES && this.timer) void this.send();
  }

  /** No batch is on its way, and none starts before `writeIn` or `close`. */
  async settle(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sending;
  }

  async writeIn(tx: Transaction, last: string): Promise<{ committed(): void; rolledBack(): void }> {
    const lines = this.held.splice(0);
    const rolledBack = () => this.held.unshift(...lines);
    try {
      await tx.replicationLogLine.createMany({
        data: [...lines, last].map((line) => ({ relationshipId: this.relationshipId, line })),
      });
    } catch (error) {
      rolledBack();
      throw error;
    }
    return { committed: () => {}, rolledBack };
  }

  /** Sends the next batch, unless one is on its way; resolves true when it was taken. */
  private send(): Promise<boolean> {
    if (this.sending || this.held.length === 0) return Promise.resolve(false);
    const batch = this.held.splice(0, DATABASE_BATCH_LINES);
    const sent = db()
      .replicationLogLine.createMany({ data: batch.map((line) => ({ relationshipId: this.relationshipId, line })) })
      .then(
        () => {
          this.failing = false;
          return true;
        },
        (error: unknown) => {
          this.held.unshift(...batch);
          // Said once an outage, not with every try.
          if (!this.failing)
            this.onWriteFailed(`replication log lines could not be saved yet: ${(error as Error).message}`);
          this.failing = true;
          return false;
        },
      );
    this.sending = sent.then(() => undefined).finally(() => (this.sending = undefined));
    return sent;
  }

  async close(): Promise<void> {
    await this.settle();
    if (this.dropped > 0)
      this.held.push(
        JSON.stringify({
          time: new Date().toISOString(),
          level: "warn",
          job: this.jobId,
          event: "log-lines-dropped",
          count: this.dropped,
        }),
      );
    // Three failed tries, and the rest is given up: a worker must not hang on its log.
    for (let failures = 0; failures < 3 && this.held.length > 0;) {
      if (!(await this.send())) {
        failures++;
        await new Promise((resolve) => setTimeout(resolve, DATABASE_BATCH_MS));
      }
    }
    if (this.held.length > 0)
      this.onWriteFailed(`${this.held.length} replication log lines of job ${this.jobId} could not be saved`);
  }
}
