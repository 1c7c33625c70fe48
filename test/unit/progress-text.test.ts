import { describe, expect, it } from "vitest";
import { describeProgress, formatDuration } from "@/lib/format";
import { progressView } from "@/lib/progress/api-view";
import { emptyProgress } from "@/lib/progress/record";
import type { ProgressSnapshot } from "@/lib/progress/fields";

const NOW = Date.parse("2026-11-30T04:00:00Z");
const MIB = 1024n * 1024n;

function job(progress: Partial<ProgressSnapshot>, estimatedEnd = "") {
  const s = { ...emptyProgress(), ...progress };
  return {
    job_id: "j",
    job_state: "RUNNING",
    worker_id: "host:1:abc",
    takeovers: 0,
    start_time: new Date(NOW - 60_000).toISOString(),
    estimated_end_time: s.totalsKnown ? estimatedEnd : "",
    read_mode: null,
    job_progress: progressView(s),
    throughput_series: [],
  };
}

const PUSH = { direction: "COPY_TO_OBJECT" } as const;
const PULL = { direction: "COPY_FROM_OBJECT" } as const;

describe("the progress line", () => {
  it("says what is done so far while the totals are still counted", () => {
    const counting = job({ filesTransferred: 1400n, bytesTransferred: 54n * MIB });
    expect(describeProgress(PUSH, counting, NOW)).toBe("1,400 files, 54.0 MiB sent so far; counting…");
    const repeat = job({ filesTransferred: 3n, bytesTransferred: 3072n, filesUnchanged: 2500n });
    expect(describeProgress(PUSH, repeat, NOW)).toBe("3 files, 3.0 KiB sent, 2,500 unchanged so far; counting…");
    expect(describeProgress(PUSH, job({}), NOW)).toBe("Counting files…");
    expect(describeProgress(PULL, job({}), NOW)).toBe("Listing the folder…");
  });

  it("gives the share, what is left in bytes and files, the rate and the time left with its unit", () => {
    const running = job(
      {
        totalsKnown: true,
        filesTotal: 4004n,
        bytesTotal: 110n * MIB,
        filesTransferred: 1859n,
        bytesTransferred: 103n * MIB,
        throughputCurrent: 2 * 1024 * 1024,
      },
      new Date(NOW + 42_400).toISOString(),
    );
    expect(describeProgress(PUSH, running, NOW)).toBe(
      "93.6% of the data · 7.0 MiB and 2,145 files left · 2.0 MiB/s · about 42 s left",
    );
  });

  it("never says 0 s left while files remain, even when the estimate has just passed", () => {
    const late = job(
      { totalsKnown: true, filesTotal: 10n, bytesTotal: 10n, filesTransferred: 9n, bytesTransferred: 9n },
      new Date(NOW - 300).toISOString(),
    );
    expect(describeProgress(PUSH, late, NOW)).toMatch(/ · a few seconds left$/);
    const unknown = job({ totalsKnown: true, filesTotal: 10n, bytesTotal: 10n });
    expect(describeProgress(PUSH, unknown, NOW)).toMatch(/ · time left not known yet$/);
  });

  it("writes lengths of time with their unit", () => {
    expect(formatDuration(420)).toBe("0.4 s");
    expect(formatDuration(14_000)).toBe("14 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(3_780_000)).toBe("1 h 3 min");
    expect(formatDuration(120_000)).toBe("2 min");
  });
});
