import { Readable } from "node:stream";
import { formatBytes, outcomeVerb, skipReasonWords } from "@/lib/format";
import { findRelationship } from "./find-relationship";
import { databaseKind } from "@/lib/db/database-url";
import { openLog, UnreadableLogError } from "./open-log";
import { hasSharedLog, lastSharedLogLines, sharedLogStream } from "./shared-log";

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
  "lease-lost": (f) => `This worker stopped the job: ${text(f.reason)}.`,
  "job-left": () => "The job was left to the worker that took it over; that worker records how it ends.",
  "log-lines-dropped": (f) => `${text(f.count)} lines of this log were lost while the database could not be reached.`,
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

/**
 * The last `lines` entries of a relationship's replication log, oldest first. A log that cannot be
 * read is one entry saying so, so that the rest of the copy's page still shows.
 */
export async function readLogEntries({ id, lines = 200 }: { id: string; lines?: number }): Promise<LogEntry[]> {
  try {
    return (await readRelationshipLog({ id, lines })).map(parseLogLine);
  } catch (error) {
    if (!(error instanceof UnreadableLogError)) throw error;
    return [{ time: "", level: "error", job: "", event: "log unreadable", path: null, message: error.message }];
  }
}

/** A file to download, streamed: the adapter turns it into a response. */
export interface Download {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array> | null;
}

/** The whole replication log (JSON lines); a log may be large, so it is streamed, never read whole. */
export async function relationshipLogDownload({ id }: { id: string }): Promise<Download> {
  const relationship = await findRelationship(id);
  const download = {
    filename: `replication-${relationship.id}.log`,
    contentType: "application/x-ndjson; charset=utf-8",
  };
  if (databaseKind() === "postgresql")
    return { ...download, body: (await hasSharedLog(relationship.id)) ? sharedLogStream(relationship.id) : null };
  const log = await openLog(relationship.id);
  if (!log) return { ...download, body: null };
  return { ...download, body: Readable.toWeb(log.handle.createReadStream()) as ReadableStream<Uint8Array> };
}

/** How many bytes of the log's end are read for the console: its last lines, not a log that may have grown large. */
const TAIL_BYTES = 256 * 1024;

/** The last lines of the relationship's replication log, oldest first. */
export async function readRelationshipLog({ id, lines = 200 }: { id: string; lines?: number }): Promise<string[]> {
  const relationship = await findRelationship(id);
  if (databaseKind() === "postgresql") return lastSharedLogLines(relationship.id, lines);
  const log = await openLog(relationship.id);
  if (!log) return [];
  try {
    const length = Math.min(log.size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await log.handle.read(buffer, 0, length, log.size - length);
    return buffer.toString("utf8").split("\n").filter(Boolean).slice(-lines);
  } finally {
    await log.handle.close();
  }
}
