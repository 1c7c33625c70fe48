import { describe, expect, it } from "vitest";
import { ProgressTracker } from "@/lib/engine/progress";
import { percentComplete, remainingBytes, remainingFiles } from "@/lib/progress/remaining";

describe("job progress", () => {
  it("claims no percentage, remaining or ETA until the totals are known", () => {
    const tracker = new ProgressTracker();
    const start = Date.now();
    tracker.listener({ type: "bytes-moved", bytes: 1000 });
    tracker.listener({ type: "file-transferred", path: "a", size: 1000n, multipart: false });
    const early = tracker.snapshot(start + 500);
    expect(early.totalsKnown).toBe(false);
    expect(percentComplete(early)).toBeNull();
    expect(early.estimatedEndTime).toBeNull();

    tracker.listener({ type: "totals", files: 4n, bytes: 4000n });
    tracker.listener({ type: "bytes-moved", bytes: 1000 });
    tracker.listener({ type: "file-transferred", path: "b", size: 1000n, multipart: false });
    const known = tracker.snapshot(start + 1000);
    expect(percentComplete(known)).toBe(50);
    expect(remainingBytes(known)).toBe(2000n);
    expect(remainingFiles(known)).toBe(2n);
    expect(known.estimatedEndTime).toBeInstanceOf(Date);
  });

  it("counts unchanged, server-side copies, failures and skips towards completion, each in its own counter", () => {
    const tracker = new ProgressTracker();
    tracker.listener({ type: "totals", files: 4n, bytes: 400n });
    tracker.listener({ type: "file-unchanged", path: "a", size: 100n, how: "fingerprint" });
    tracker.listener({ type: "file-copied-server-side", path: "b", source: "a", size: 100n });
    tracker.listener({ type: "file-failed", path: "c", size: 100n, message: "x" });
    tracker.listener({ type: "file-skipped", path: "l", reason: "symlink" });
    const s = tracker.snapshot();
    expect(percentComplete(s)).toBe(75);
    expect(remainingFiles(s)).toBe(1n);
    expect(s.filesUnchanged).toBe(1n);
    expect(s.filesCopiedServerSide).toBe(1n);
    expect(s.filesFailed).toBe(1n);
    expect(s.skippedByReason).toEqual({ symlink: 1 });
  });

  it("measures current throughput over a short window and overall throughput since the start", () => {
    const tracker = new ProgressTracker();
    tracker.listener({ type: "bytes-moved", bytes: 5000 });
    const now = Date.now();
    expect(tracker.snapshot(now + 1000).throughputOverall).toBeGreaterThan(4000);
    expect(tracker.snapshot(now + 10_000).throughputCurrent).toBe(0);
  });
});

describe("the throughput series", () => {
  it("samples every 2 s and stays bounded on a long job by halving its resolution", () => {
    const tracker = new ProgressTracker();
    const start = Date.now();
    for (let s = 0; s <= 4 * 3600; s++) tracker.snapshot(start + s * 1000);
    const series = tracker.snapshot(start + 4 * 3600 * 1000 + 1).throughputSeries;
    expect(series.length).toBeGreaterThan(100);
    expect(series.length).toBeLessThanOrEqual(300);
    expect(series[series.length - 1]![0]).toBeGreaterThan(4 * 3600 - 200);
    const times = series.map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
