import type { Job, Relationship } from "@/generated/prisma/client";
import { progressView } from "@/lib/progress/api-view";
import { progressOf } from "@/lib/progress/record";
import { certificateBlocks } from "./ca-certificate";
import { ACTIVE_STATES, JOB_STATES } from "./job-states";

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

/** A job's progress as the API shows it (job history lists it per job). */
export function jobProgressView(job: Job) {
  return progressView(progressOf(job));
}

const rfc3339 = (date: Date | null | undefined) => (date ? date.toISOString() : "");

function currentJobView(job: Job) {
  const progress = progressOf(job);
  return {
    job_id: job.id,
    job_state: job.state,
    worker_id: job.workerId ?? "",
    takeovers: job.takeovers,
    start_time: rfc3339(job.startTime ?? job.createdAt),
    estimated_end_time: progress.totalsKnown ? rfc3339(progress.estimatedEndTime) : "",
    read_mode: progress.readMode,
    job_progress: progressView(progress),
    throughput_series: progress.throughputSeries,
  };
}

/**
 * SPEC §5.3: a job with per-file errors "ends as failed", and scripts that watch for FAILED keep
 * seeing it; completed_with_errors says apart that it went through every entry (the console's
 * "Completed with N errors"), where a plain FAILED ended early.
 */
function apiOutcome(state: string): string {
  return state === JOB_STATES.COMPLETED_WITH_ERRORS ? JOB_STATES.FAILED : state;
}

function lastJobView(job: Job) {
  const progress = progressOf(job);
  return {
    job_id: job.id,
    outcome: apiOutcome(job.state),
    completed_with_errors: job.state === JOB_STATES.COMPLETED_WITH_ERRORS,
    takeovers: job.takeovers,
    start_time: rfc3339(job.startTime ?? job.createdAt),
    end_time: rfc3339(job.endTime),
    error: job.error,
    read_mode: progress.readMode,
    job_progress: progressView(progress),
    throughput_series: progress.throughputSeries,
  };
}

/** `lastSuccess`: when the newest job that SUCCEEDED ended; null when none has. */
export function statusView(
  relationship: Relationship,
  current: Job | null,
  last: Job | null,
  lastSuccess: Date | null,
) {
  return {
    ...relationshipView(relationship),
    state: current ? "REPLICATION_RUNNING" : "REPLICATION_NOT_RUNNING",
    current_job: current ? currentJobView(current) : null,
    last_job: last ? lastJobView(last) : null,
    last_success_time: rfc3339(lastSuccess),
  };
}

export function isActive(job: Job): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(job.state);
}

/** A relationship's status as the API sends it (plain JSON: counts are strings, times RFC 3339). */
export type RelationshipStatus = ReturnType<typeof statusView>;
