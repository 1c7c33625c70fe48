import { formatBytes } from "@/lib/format";
import type { RelationshipStatus } from "@/lib/replication/views";
import { formatCount, timeLeft } from "./units";

type CurrentJob = NonNullable<RelationshipStatus["current_job"]>;

/** What the watch line shows: a bar only once there is a share of a known total to draw. */
export interface ProgressLine {
  fraction: number | null;
  text: string;
}

const BAR_WIDTH = 24;

/** The line a watch draws for a running job, from the API's fields as they are. */
export function progressLine(direction: string, job: CurrentJob, now: number): ProgressLine {
  if (job.job_state === "QUEUED") return { fraction: null, text: "queued, waiting for a worker…" };
  const p = job.job_progress;
  if (p.percent_complete === null) return { fraction: null, text: whileCounting(direction, p) };
  // Floored: 99.96% is not done, and "100%" must mean it.
  const percent = Math.floor(p.percent_complete * 10) / 10;
  const left = timeLeft(job.estimated_end_time, now) ?? "time left not known yet";
  return {
    fraction: percent / 100,
    text: [
      `${percent}%`,
      `${formatBytes(Number(p.bytes_remaining ?? 0))} and ${formatCount(p.files_remaining ?? 0)} files left`,
      `${formatBytes(p.throughput_current)}/s`,
      left,
    ].join(" | "),
  };
}

/** Totals are still being counted: no percentage, but what is done already (nothing waits on the count). */
function whileCounting(direction: string, p: CurrentJob["job_progress"]): string {
  const pull = direction === "COPY_FROM_OBJECT";
  const waiting = pull ? "listing the folder…" : "counting…";
  const done = [];
  if (p.files_transferred !== "0")
    done.push(
      `${formatCount(p.files_transferred)} files, ${formatBytes(Number(p.bytes_transferred))} ${pull ? "downloaded" : "sent"} so far`,
    );
  if (p.files_unchanged !== "0") done.push(`${formatCount(p.files_unchanged)} unchanged`);
  if (p.files_copied_server_side !== "0") done.push(`${formatCount(p.files_copied_server_side)} copied server-side`);
  if (done.length === 0) return pull ? "Listing the folder…" : "Counting files…";
  return `${done.join(", ")}; ${waiting}`;
}

/** The bar (when there is one) and the text, as one line. */
export function renderLine({ fraction, text }: ProgressLine): string {
  if (fraction === null) return text;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)} ${text}`;
}
