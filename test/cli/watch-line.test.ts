import { describe, expect, it } from "vitest";
import { jobSummary } from "@/cli/job-summary";
import { progressLine, renderLine } from "@/cli/progress-line";
import { formatDuration, timeLeft } from "@/cli/units";
import { watchStatus } from "@/cli/watch";
import type { RelationshipStatus } from "@/lib/replication/views";

type CurrentJob = NonNullable<RelationshipStatus["current_job"]>;
type Progress = CurrentJob["job_progress"];

const NOW = Date.parse("2026-11-30T04:00:00.000Z");
const MiB = 1024 * 1024;

function progress(overrides: Partial<Progress> = {}): Progress {
  return {
    bytes_transferred: "0",
    bytes_unchanged: "0",
    bytes_remaining: null,
    bytes_total: null,
    files_transferred: "0",
    files_unchanged: "0",
    files_remaining: null,
    files_total: null,
    percent_complete: null,
    throughput_current: 0,
    throughput_overall: 0,
    files_copied_server_side: "0",
    bytes_copied_server_side: "0",
    files_failed: "0",
    bytes_failed: "0",
    entries_skipped: "0",
    entries_skipped_by_reason: {},
    files_skipped_filtered: "0",
    ...overrides,
  } as Progress;
}

function running(p: Progress, estimatedEnd = ""): CurrentJob {
  return {
    job_id: "job",
    job_state: "RUNNING",
    worker_id: "host:1:abc",
    takeovers: 0,
    start_time: new Date(NOW - 12_000).toISOString(),
    estimated_end_time: estimatedEnd,
    read_mode: "stable-read",
    job_progress: p,
    throughput_series: [],
  };
}

describe("the watch line", () => {
  it("shows what is done while the totals are still counted, with no bar and no percentage", () => {
    const line = progressLine(
      "COPY_TO_OBJECT",
      running(progress({ files_transferred: "1400", bytes_transferred: String(54 * MiB) })),
      NOW,
    );
    expect(line).toEqual({ fraction: null, text: "1,400 files, 54.0 MiB sent so far; counting…" });
    expect(renderLine(line)).toBe("1,400 files, 54.0 MiB sent so far; counting…");
    expect(progressLine("COPY_TO_OBJECT", running(progress()), NOW).text).toBe("Counting files…");
    expect(progressLine("COPY_FROM_OBJECT", running(progress()), NOW).text).toBe("Listing the folder…");
    expect(
      progressLine("COPY_TO_OBJECT", running(progress({ files_unchanged: "2500", bytes_unchanged: "9" })), NOW).text,
    ).toBe("2,500 unchanged; counting…");
  });

  it("gives the time left in units, never INF or a bare number", () => {
    const p = progress({
      percent_complete: 42.37,
      bytes_remaining: String(6.3 * MiB),
      files_remaining: "2145",
      throughput_current: 3 * MiB,
    });
    const line = progressLine("COPY_TO_OBJECT", running(p, new Date(NOW + 65_000).toISOString()), NOW);
    expect(line.fraction).toBeCloseTo(0.423);
    expect(renderLine(line)).toBe(
      "██████████░░░░░░░░░░░░░░ 42.3% | 6.3 MiB and 2,145 files left | 3.0 MiB/s | about 1 min 5 s left",
    );
    expect(progressLine("COPY_TO_OBJECT", running(p), NOW).text).toMatch(/\| time left not known yet$/);
    expect(progressLine("COPY_TO_OBJECT", running(p, new Date(NOW - 5_000).toISOString()), NOW).text).toMatch(
      /\| under 1 s left$/,
    );
    expect(timeLeft(new Date(NOW + 3 * 3600_000 + 120_000).toISOString(), NOW)).toBe("about 3 h 2 min left");
    expect(timeLeft(new Date(NOW + 3_000).toISOString(), NOW)).toBe("about 3 s left");
    expect(formatDuration(Infinity)).toBe("an unknown time");
    expect(formatDuration(0.42)).toBe("0.4 s");
  });

  it("never shows 100% before the job is done", () => {
    const p = progress({ percent_complete: 99.96, bytes_remaining: "10", files_remaining: "1" });
    expect(progressLine("COPY_TO_OBJECT", running(p), NOW).text).toMatch(/^99\.9% \|/);
  });
});

describe("the summary at the end of a watched job", () => {
  // As the API sends it: a job that completed with errors is FAILED with completed_with_errors set.
  const last = (p: Progress, state = "SUCCEEDED") => ({
    job_id: "job",
    outcome: state === "COMPLETED_WITH_ERRORS" ? "FAILED" : state,
    completed_with_errors: state === "COMPLETED_WITH_ERRORS",
    takeovers: 0,
    start_time: "2026-11-30T04:00:00.000Z",
    end_time: "2026-11-30T04:00:00.400Z",
    error: "",
    read_mode: "stable-read" as const,
    job_progress: p,
    throughput_series: [],
  });

  it("counts what was done and how long it took", () => {
    expect(jobSummary("COPY_TO_OBJECT", last(progress({ files_unchanged: "1" })))).toBe(
      "Succeeded: 1 unchanged, 0 sent, took 0.4 s",
    );
    expect(
      jobSummary(
        "COPY_FROM_OBJECT",
        last(
          progress({
            files_transferred: "4003",
            bytes_transferred: String(100 * MiB),
            files_failed: "1",
            entries_skipped: "3",
            entries_skipped_by_reason: { symlink: 2, fifo: 1 },
          }),
          "COMPLETED_WITH_ERRORS",
        ),
      ),
    ).toBe(
      "Completed with 1 error: 0 unchanged, 4,003 downloaded (100.0 MiB), 1 failed, 3 skipped (2 symbolic links, 1 FIFO), took 0.4 s",
    );
    expect(jobSummary("COPY_TO_OBJECT", last(progress(), "ABORTED"))).toMatch(/^Stopped: /);
    expect(jobSummary("COPY_TO_OBJECT", last(progress(), "FAILED"))).toMatch(/^Failed: /);
    // A state a newer service sends still reads as words.
    expect(jobSummary("COPY_TO_OBJECT", last(progress(), "PAUSED_FOR_MAINTENANCE"))).toMatch(
      /^Paused for maintenance: /,
    );
  });
});

describe("watching", () => {
  function fakeStream() {
    const stream = { isTTY: false, text: "", write: (s: string) => ((stream.text += s), true) };
    return stream;
  }
  const status = (current: CurrentJob | null, outcome?: string) =>
    ({
      direction: "COPY_TO_OBJECT",
      current_job: current,
      last_job: outcome ? { outcome } : null,
    }) as unknown as RelationshipStatus;

  it("draws nothing for a job that has already ended", async () => {
    const stream = fakeStream();
    const final = await watchStatus(async () => status(null, "SUCCEEDED"), {
      stream: stream as unknown as NodeJS.WriteStream,
    });
    expect(final.last_job?.outcome).toBe("SUCCEEDED");
    expect(stream.text).toBe("");
  });

  it("shows the counting line, then the bar, then 100% once the job succeeded", async () => {
    const stream = fakeStream();
    const replies = [
      status(running(progress({ files_transferred: "3", bytes_transferred: "3072" }))),
      status(null, "SUCCEEDED"),
    ];
    await watchStatus(async () => replies.shift()!, { intervalMs: 1, stream: stream as unknown as NodeJS.WriteStream });
    expect(stream.text).toBe("3 files, 3.0 KiB sent so far; counting…\n████████████████████████ 100%\n");
  });
});
