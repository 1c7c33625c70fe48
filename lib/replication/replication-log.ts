import fs from "node:fs";
import { Readable } from "node:stream";
import { relationshipLogFile } from "@/lib/data-paths";
import { formatBytes, outcomeVerb, skipReasonWords } from "@/lib/format";
import { AppError } from "@/lib/errors";
import { findRelationship } from "./find-relationship";

export type LogLevel = "info" | "warn" | "error";

/** One line of a replication log, as a person reads it. */
export interface LogEntry {
  time: string;
  level: LogLevel;
  job: string;
  event: string;
  path: string | null;
  message: string;
}

type Fields = Record<string, unknown>;
const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));

/** What each event means in words; an event this list does not know shows its fields as they are. */
const DESCRIBE: Record<string, (f: Fields) => string> = {
  "job-start": () => "The job started.",
  "job-end": (f) => `The job ${outcomeVerb(text(f.outcome))}.${f.error ? ` ${text(f.error)}` : ""}`,
  "stop-requested": () => "Stop was requested; the job ends once its transfers let go.",
  "progress-write-failed": (f) => `Progress could not be saved: ${text(f.message)}`,
  mode: (f) => `Read mode: ${text(f.mode)}${f.detail ? ` (${text(f.detail)})` : ""}.`,
  totals: (f) =>
    `Counted ${text(f.files)} file${text(f.files) === "1" ? "" : "s"}, ${formatBytes(Number(f.bytes ?? 0))}.`,
  "file-failed": (f) => text(f.message),
  "file-skipped": (f) => `Skipped: ${skipReasonWords(text(f.reason))}.`,
  "file-reread": (f) => `The file changed while it was read; reading it again (attempt ${text(f.attempt)}).`,
  retry: (f) => `${text(f.operation)} succeeded after ${text(f.attempts)} attempts.`,
  "multipart-aborted": (f) => `An unfinished upload was abandoned: ${text(f.reason)}.`,
  "multipart-resumed": (f) =>
    `An upload left by an earlier job was continued; ${text(f.partsReused)} parts not sent again.`,
  "orphan-upload-aborted": () => "A duplicate upload left by a lost reply was abandoned.",
  "leftovers-removed": (f) => `${text(f.count)} temporary files of an earlier, killed job were removed.`,
};

const LEVELS: ReadonlySet<string> = new Set(["info", "warn", "error"]);

/** A log line as an entry; a line that is not one of ours (cut short, edited by hand) is shown as it is. */
export function parseLogLine(line: string): LogEntry {
  let fields: Fields;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    fields = parsed as Fields;
  } catch {
    return { time: "", level: "warn", job: "", event: "unreadable line", path: null, message: line };
  }
  const { time, level, job, event, path, ...rest } = fields;
  const name = text(event);
  const describe = DESCRIBE[name];
  return {
    time: text(time),
    level: LEVELS.has(text(level)) ? (text(level) as LogLevel) : "info",
    job: text(job),
    event: name,
    path: typeof path === "string" ? path : null,
    message: describe ? describe(rest) : JSON.stringify(rest),
  };
}

/** The last `lines` entries of a relationship's replication log, oldest first. */
export async function readLogEntries({ id, lines = 200 }: { id: string; lines?: number }): Promise<LogEntry[]> {
  return (await readRelationshipLog({ id, lines })).map(parseLogLine);
}

/** A file to download, streamed: the adapter turns it into a response. */
export interface Download {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array> | null;
}

/** The whole replication log (JSON lines); a log may be large, so it is streamed, never read whole. */
/** The log is opened as itself: a link put in its place is refused, never followed. */
const READ_NO_LINK = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;

export async function relationshipLogDownload({ id }: { id: string }): Promise<Download> {
  const relationship = await findRelationship(id);
  const download = {
    filename: `replication-${relationship.id}.log`,
    contentType: "application/x-ndjson; charset=utf-8",
  };
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(relationshipLogFile(relationship.id), READ_NO_LINK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ...download, body: null };
    throw unreadableLog(code);
  }
  // Checked on the open file, before the answer starts: a stream that fails halfway would look
  // like a whole log to whoever saved it.
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw unreadableLog("not a regular file");
  }
  return { ...download, body: Readable.toWeb(handle.createReadStream()) as ReadableStream<Uint8Array> };
}

function unreadableLog(reason: string | undefined) {
  return new AppError(
    "INTERNAL",
    `The replication log of this copy cannot be read (${reason ?? "unknown error"}); the service's data directory needs looking at.`,
  );
}

/** The last lines of the relationship's replication log, oldest first. */
export async function readRelationshipLog({ id, lines = 200 }: { id: string; lines?: number }): Promise<string[]> {
  const relationship = await findRelationship(id);
  let text: string;
  try {
    const handle = await fs.promises.open(relationshipLogFile(relationship.id), READ_NO_LINK);
    try {
      const { size } = await handle.stat();
      // The tail is enough: read at most the last 256 KiB, not a log that may have grown large.
      const length = Math.min(size, 256 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text.split("\n").filter(Boolean).slice(-lines);
}
