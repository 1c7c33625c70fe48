import type { Job, Relationship } from "@/generated/prisma/client";
import { percentComplete, remainingBytes, remainingFiles, type ProgressSnapshot } from "@/lib/engine/progress";
import { certificateBlocks } from "./ca-certificate";
import { ACTIVE_STATES } from "./job-states";

/** The relationship as the API shows it: never the secret. */
export function relationshipView(row: Relationship) {
  return {
    id: row.id,
    direction: row.direction,
    local_directory_id: row.localDirectoryId,
    local_directory_path: row.localDirectoryPath,
    object_store_address: row.objectStoreAddress,
    port: row.port,
    ca_certificate: certificateBlocks(row.caCertificate),
    bucket: row.bucket,
    bucket_style: row.bucketStyle,
    object_folder: row.objectFolder,
    region: row.region,
    access_key_id: row.accessKeyId,
    allow_plain_http: row.allowPlainHttp,
    created_at: row.createdAt.toISOString(),
  };
}

export function jobSnapshot(job: Job): ProgressSnapshot {
  return {
    totalsKnown: job.totalsKnown,
    bytesTransferred: job.bytesTransferred,
    bytesUnchanged: job.bytesUnchanged,
    bytesCopiedServerSide: job.bytesCopiedServerSide,
    bytesFailed: job.bytesFailed,
    bytesTotal: job.bytesTotal,
    filesTransferred: job.filesTransferred,
    filesUnchanged: job.filesUnchanged,
    filesCopiedServerSide: job.filesCopiedServerSide,
    filesFailed: job.filesFailed,
    filesTotal: job.filesTotal,
    entriesSkipped: job.entriesSkipped,
    skippedByReason: JSON.parse(job.skippedDetail) as Record<string, number>,
    throughputCurrent: job.throughputCurrent,
    throughputOverall: job.throughputOverall,
    estimatedEndTime: job.estimatedEndTime,
    readMode: job.readMode as ProgressSnapshot["readMode"],
    throughputSeries: JSON.parse(job.throughputSeries) as Array<[number, number]>,
  };
}

/** 64-bit counts as decimal strings; percentage null until the totals are known. */
export function jobProgressView(job: Job) {
  const s = jobSnapshot(job);
  return {
    bytes_transferred: s.bytesTransferred.toString(),
    bytes_unchanged: s.bytesUnchanged.toString(),
    bytes_remaining: s.totalsKnown ? remainingBytes(s).toString() : null,
    bytes_total: s.totalsKnown ? s.bytesTotal.toString() : null,
    files_transferred: s.filesTransferred.toString(),
    files_unchanged: s.filesUnchanged.toString(),
    files_remaining: s.totalsKnown ? remainingFiles(s).toString() : null,
    files_total: s.totalsKnown ? s.filesTotal.toString() : null,
    percent_complete: percentComplete(s),
    throughput_current: Math.round(s.throughputCurrent),
    throughput_overall: Math.round(s.throughputOverall),
    files_copied_server_side: s.filesCopiedServerSide.toString(),
    bytes_copied_server_side: s.bytesCopiedServerSide.toString(),
    files_failed: s.filesFailed.toString(),
    bytes_failed: s.bytesFailed.toString(),
    entries_skipped: s.entriesSkipped.toString(),
    entries_skipped_by_reason: s.skippedByReason,
  };
}

const rfc3339 = (date: Date | null | undefined) => (date ? date.toISOString() : "");

function currentJobView(job: Job) {
  return {
    job_id: job.id,
    job_state: job.state,
    start_time: rfc3339(job.startTime ?? job.createdAt),
    estimated_end_time: job.totalsKnown ? rfc3339(job.estimatedEndTime) : "",
    read_mode: job.readMode,
    job_progress: jobProgressView(job),
    throughput_series: JSON.parse(job.throughputSeries) as Array<[number, number]>,
  };
}

function lastJobView(job: Job) {
  return {
    job_id: job.id,
    outcome: job.state,
    start_time: rfc3339(job.startTime ?? job.createdAt),
    end_time: rfc3339(job.endTime),
    error: job.error,
    read_mode: job.readMode,
    job_progress: jobProgressView(job),
    throughput_series: JSON.parse(job.throughputSeries) as Array<[number, number]>,
  };
}

export function statusView(relationship: Relationship, current: Job | null, last: Job | null) {
  return {
    ...relationshipView(relationship),
    state: current ? "REPLICATION_RUNNING" : "REPLICATION_NOT_RUNNING",
    current_job: current ? currentJobView(current) : null,
    last_job: last ? lastJobView(last) : null,
  };
}

export function isActive(job: Job): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(job.state);
}

/** A relationship's status as the API sends it (plain JSON: counts are strings, times RFC 3339). */
export type RelationshipStatus = ReturnType<typeof statusView>;
