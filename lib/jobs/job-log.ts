import fs from "node:fs";
import path from "node:path";
import { relationshipLogFile } from "@/lib/data-paths";
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

/** Appends structured (JSON) lines for one job to its relationship's replication log. */
export class JobLog {
  private readonly stream: fs.WriteStream;

  constructor(
    relationshipId: string,
    private readonly jobId: string,
  ) {
    const file = relationshipLogFile(relationshipId);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // The worker keeps the usual umask (the files it restores belong to the share's users), so its own
    // files say their mode; a link put in the log's place is refused, not written through.
    const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
    this.stream = fs.createWriteStream(file, { fd });
  }

  write(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): void {
    const line = { time: new Date().toISOString(), level, job: this.jobId, event, ...fields };
    this.stream.write(JSON.stringify(line, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
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

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
