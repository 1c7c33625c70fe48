import type { Job } from "@/generated/prisma/client";

/**
 * The job's progress record, declared once. The engine's snapshot, the columns the worker writes,
 * the API's `job_progress` and its OpenAPI schema are all derived from this list; the Prisma
 * schema (and its migration) is the one other place a field is declared, and
 * test/unit/progress-record.test.ts fails when the two disagree.
 */

/** How the engine read the tree: from a btrfs snapshot, or file by file with a check that nothing changed. */
export type ReadMode = "snapshot" | "stable-read";

/** One point of a job's throughput chart. */
export type ThroughputSample = [secondsSinceStart: number, bytesPerSecond: number];

/** The value each plain kind holds, in the snapshot and in its Job column alike. */
interface PlainValues {
  /** Internal to the record; not shown by itself. */
  flag: boolean;
  /** A 64-bit count: a decimal string in the API. */
  count: bigint;
  /** A 64-bit total from the scan ahead of the transfers: null in the API until it is final. */
  total: bigint;
  /** Bytes per second: a whole number in the API. */
  rate: number;
  time: Date | null;
  readMode: ReadMode | null;
}

type PlainKind = keyof PlainValues;
type JobColumn = keyof Job;

interface PlainField<K extends PlainKind, C extends JobColumn, A extends string | null> {
  kind: K;
  column: C;
  /**
   * Its name in `job_progress`; null for a field the API does not list there (views.ts shows the
   * read mode, the estimated end time and the throughput series beside `job_progress`).
   */
  api: A;
  description: string;
}

/** A structured value kept as JSON text in its column. */
interface JsonSpec<T, C extends JobColumn, A extends string | null> {
  column: C;
  api: A;
  description: string;
  /** The column's default: a new job's value. */
  empty: string;
  parse: (text: string) => T;
  schema: Record<string, unknown>;
}

type JsonField<T, C extends JobColumn, A extends string | null> = JsonSpec<T, C, A> & { kind: "json" };

const plain = <K extends PlainKind, C extends JobColumn, A extends string | null>(
  kind: K,
  column: C,
  api: A,
  description: string,
): PlainField<K, C, A> => ({
  kind,
  column,
  api,
  description,
});

const json = <T, C extends JobColumn, A extends string | null>(spec: JsonSpec<T, C, A>): JsonField<T, C, A> => ({
  kind: "json",
  ...spec,
});

/**
 * Keyed by the snapshot's name for the field. Adding a counter: an entry here, and its column in
 * prisma/schema.prisma with a migration.
 */
export const PROGRESS_FIELDS = {
  totalsKnown: plain("flag", "totalsKnown", null, "whether the scan ahead of the transfers has counted everything"),
  bytesTransferred: plain(
    "count",
    "bytesTransferred",
    "bytes_transferred",
    "bytes of the files copied (uploaded or downloaded) by this job",
  ),
  bytesUnchanged: plain("count", "bytesUnchanged", "bytes_unchanged", "bytes of the files found already in place"),
  bytesTotal: plain("total", "bytesTotal", "bytes_total", "bytes of all the files the job has to consider"),
  filesTransferred: plain(
    "count",
    "filesTransferred",
    "files_transferred",
    "files copied (uploaded or downloaded) by this job",
  ),
  filesUnchanged: plain("count", "filesUnchanged", "files_unchanged", "files found already in place"),
  filesTotal: plain("total", "filesTotal", "files_total", "all the files the job has to consider"),
  throughputCurrent: plain("rate", "throughputCurrent", "throughput_current", "bytes/s over the last 5 seconds"),
  throughputOverall: plain("rate", "throughputOverall", "throughput_overall", "bytes/s since the job started"),
  filesCopiedServerSide: plain(
    "count",
    "filesCopiedServerSide",
    "files_copied_server_side",
    "further paths of a hard-linked file, made as server-side copies",
  ),
  bytesCopiedServerSide: plain(
    "count",
    "bytesCopiedServerSide",
    "bytes_copied_server_side",
    "bytes of the server-side copies (none of them sent)",
  ),
  filesFailed: plain("count", "filesFailed", "files_failed", "files the job could not copy (per-file errors)"),
  bytesFailed: plain("count", "bytesFailed", "bytes_failed", "bytes of the files the job could not copy"),
  entriesSkipped: plain(
    "count",
    "entriesSkipped",
    "entries_skipped",
    "entries not copied by nature: symbolic links, devices, FIFOs, sockets",
  ),
  skippedByReason: json({
    column: "skippedDetail",
    api: "entries_skipped_by_reason",
    description: "the skipped entries counted by reason",
    empty: "{}",
    parse: (text) => JSON.parse(text) as Record<string, number>,
    schema: { type: "object", additionalProperties: { type: "integer" } },
  }),
  filesSkippedFiltered: plain(
    "count",
    "filesSkippedFiltered",
    "files_skipped_filtered",
    "files the relationship's filters leave out (none yet: no filter is applied)",
  ),
  totalsKnownAt: plain(
    "time",
    "totalsKnownAt",
    null,
    "when the scan ahead of the transfers had counted everything (transfers run meanwhile); null until then",
  ),
  estimatedEndTime: plain(
    "time",
    "estimatedEndTime",
    null,
    "when the job should end, from the bytes and the files left at the costs this job has shown; null while unknown",
  ),
  readMode: plain(
    "readMode",
    "readMode",
    null,
    "how the tree is read: from a snapshot, or file by file in stable-read mode",
  ),
  throughputSeries: json({
    column: "throughputSeries",
    api: null,
    description: "[seconds since the start, bytes/s] samples for a chart; resolution halves as the job grows",
    empty: "[]",
    parse: (text) => JSON.parse(text) as ThroughputSample[],
    schema: {
      type: "array",
      items: { type: "array", prefixItems: [{ type: "integer" }, { type: "integer" }], minItems: 2, maxItems: 2 },
    },
  }),
};

export type Fields = typeof PROGRESS_FIELDS;
export type FieldName = keyof Fields;
export type AnyField = Fields[FieldName];

export type ValueOf<F> = F extends { kind: "json"; parse: (text: string) => infer T }
  ? T
  : F extends { kind: infer K extends PlainKind }
    ? PlainValues[K]
    : never;
type ColumnValueOf<F> = F extends { kind: "json" } ? string : ValueOf<F>;

/** The record as the engine keeps it. */
export type ProgressSnapshot = { [N in FieldName]: ValueOf<Fields[N]> };

/** Each column the list names must be a Job column that takes the value written to it. */
type AgreesWithJob<T extends Partial<Job>> = T;

/** What the worker writes to the job's row. */
export type ProgressColumns = AgreesWithJob<{ [N in FieldName as Fields[N]["column"]]: ColumnValueOf<Fields[N]> }>;

/** The list as [snapshot name, field] pairs, in its order. */
export const progressEntries = Object.entries(PROGRESS_FIELDS) as Array<[FieldName, AnyField]>;
