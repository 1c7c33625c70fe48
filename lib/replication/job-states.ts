export const JOB_STATES = {
  QUEUED: "QUEUED",
  RUNNING: "RUNNING",
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  /** Every file was dealt with, but some could not be copied (each is in the job's file errors). */
  COMPLETED_WITH_ERRORS: "COMPLETED_WITH_ERRORS",
  ABORTED: "ABORTED",
  /** The worker that ran it stopped (crash, kill) without finishing it. */
  INTERRUPTED: "INTERRUPTED",
} as const;

export type JobState = (typeof JOB_STATES)[keyof typeof JOB_STATES];
export const ACTIVE_STATES = [JOB_STATES.QUEUED, JOB_STATES.RUNNING] as const;
export const FINISHED_STATES = [
  JOB_STATES.SUCCEEDED,
  JOB_STATES.FAILED,
  JOB_STATES.COMPLETED_WITH_ERRORS,
  JOB_STATES.ABORTED,
  JOB_STATES.INTERRUPTED,
] as const;
