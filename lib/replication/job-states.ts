export const JOB_STATES = {
  QUEUED: "QUEUED",
  RUNNING: "RUNNING",
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  ABORTED: "ABORTED",
  /** The worker that ran it stopped (crash, kill) without finishing it. */
  INTERRUPTED: "INTERRUPTED",
} as const;

export type JobState = (typeof JOB_STATES)[keyof typeof JOB_STATES];
export const ACTIVE_STATES = [JOB_STATES.QUEUED, JOB_STATES.RUNNING] as const;
export const FINISHED_STATES = [
  JOB_STATES.SUCCEEDED,
  JOB_STATES.FAILED,
  JOB_STATES.ABORTED,
  JOB_STATES.INTERRUPTED,
] as const;
