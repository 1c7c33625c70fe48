import { describe, expect, it } from "vitest";
import { ProgressTracker } from "@/lib/engine/progress";
import { remainingFiles } from "@/lib/progress/remaining";

const MIB = 1024 * 1024;

interface Simulation {
  /** File sizes in the order the job meets them. */
  sizes: number[];
  /** The store's rate for bytes, and what each file costs beside its bytes (requests, renames). */
  bytesPerSecond: number;
  secondsPerFile: number;
  /** A push counts a file's bytes when its upload ends; a pull as they arrive. */
  bytesAsTheyArrive: boolean;
  /** Seconds the scan takes to count the totals (a pull lists first: 0). */
  totalsAfter: number;
}

interface Reading {
  at: number;
  /** Seconds the job truly has left, and what the tracker says. */
  truth: number;
  shown: number | null;
  filesLeft: bigint;
  /** Index of the file under way. */
  file: number;
}

/**
 * Runs a job on synthetic time: a file takes size / rate + its own cost, one after another (the
 * job's concurrency folded into the two rates), and the worker reads the progress every 500 ms.
 */
function simulate(sim: Simulation): Reading[] {
  const tracker = new ProgressTracker();
  const start = Date.now();
  const costOf = (size: number) => size / sim.bytesPerSecond + sim.secondsPerFile;
  const total = sim.sizes.reduce((sum, size) => sum + costOf(size), 0);
  const readings: Reading[] = [];
  let file = 0;
  let spentOnFile = 0;
  let sentOfFile = 0;
  let totalsSent = false;
  for (let t = 0.5; file < sim.sizes.length; t += 0.5) {
    let budget = 0.5;
    while (budget > 0 && file < sim.sizes.length) {
      const size = sim.sizes[file]!;
      const cost = costOf(size);
      const step = Math.min(budget, cost - spentOnFile);
      spentOnFile += step;
      budget -= step;
      const sent = Math.min(size, Math.floor((spentOnFile / cost) * size));
      if (sim.bytesAsTheyArrive && sent > sentOfFile) {
        tracker.listener({ type: "bytes-moved", bytes: sent - sentOfFile });
        sentOfFile = sent;
      }
      if (spentOnFile >= cost - 1e-9) {
        if (!sim.bytesAsTheyArrive) tracker.listener({ type: "bytes-moved", bytes: size });
        else if (size > sentOfFile) tracker.listener({ type: "bytes-moved", bytes: size - sentOfFile });
        tracker.listener({ type: "file-transferred", path: `f${file}`, size: BigInt(size), multipart: false });
        file++;
        spentOnFile = 0;
        sentOfFile = 0;
      }
    }
    if (!totalsSent && t >= sim.totalsAfter) {
      tracker.listener({
        type: "totals",
        files: BigInt(sim.sizes.length),
        bytes: BigInt(sim.sizes.reduce((a, b) => a + b, 0)),
      });
      totalsSent = true;
    }
    const now = start + t * 1000;
    const s = tracker.snapshot(now);
    readings.push({
      at: t,
      truth: Math.max(0, total - t),
      shown: s.estimatedEndTime ? (s.estimatedEndTime.getTime() - now) / 1000 : null,
      filesLeft: s.totalsKnown ? remainingFiles(s) : -1n,
      file,
    });
  }
  return readings;
}

/** Every reading taken while files remain says at least a second is left (never "0 s left"). */
function expectNeverZeroWhileFilesRemain(readings: Reading[]) {
  const zero = readings.filter((r) => r.filesLeft > 0n && r.shown !== null && r.shown < 1);
  expect(zero.map((r) => `${r.at}s: ${r.shown} s shown with ${r.filesLeft} files left`)).toEqual([]);
}

/** Within `share` of the true time left (or 2 s, near the end). */
function expectClose(readings: Reading[], share: number) {
  const off = readings.filter((r) => r.shown === null || Math.abs(r.shown - r.truth) > Math.max(2, r.truth * share));
  expect(off.map((r) => `${r.at}s: ${r.shown?.toFixed(1)} s shown, ${r.truth.toFixed(1)} s true`)).toEqual([]);
}

/** Between two readings half a second apart, the end time moves by at most `share` of the time left. */
function expectSteady(readings: Reading[], share: number) {
  const jumps: string[] = [];
  for (let i = 1; i < readings.length; i++) {
    const [before, after] = [readings[i - 1]!, readings[i]!];
    if (before.shown === null || after.shown === null) continue;
    const moved = Math.abs(after.at + after.shown - (before.at + before.shown));
    if (moved > Math.max(1, before.truth * share))
      jumps.push(`${after.at}s: the end moved ${moved.toFixed(1)} s (${before.truth.toFixed(1)} s left)`);
  }
  expect(jumps).toEqual([]);
}

describe("time left, from both bytes and files", () => {
  it("a pull of thousands of small files after a few large ones: learns the files' cost, never says 0 s", () => {
    const sizes = [50 * MIB, 50 * MIB, ...Array.from({ length: 4000 }, () => 4096)];
    const readings = simulate({
      sizes,
      bytesPerSecond: 50 * MIB,
      secondsPerFile: 0.005,
      bytesAsTheyArrive: true,
      totalsAfter: 0,
    });
    expectNeverZeroWhileFilesRemain(readings);
    // Once the small files have run for a few seconds, the estimate holds to the truth and stays steady.
    const smallFrom = readings.find((r) => r.file >= 2)!.at;
    const settled = readings.filter((r) => r.at >= smallFrom + 5 && r.filesLeft > 0n);
    expect(settled.length).toBeGreaterThan(20);
    expectClose(settled, 0.15);
    expectSteady(settled, 0.1);
  });

  it("a push of only small files: the files' cost is the whole estimate, steady from the first seconds", () => {
    const readings = simulate({
      sizes: Array.from({ length: 3000 }, (_, i) => 1024 + (i % 7) * 512),
      bytesPerSecond: 20 * MIB,
      secondsPerFile: 0.004,
      bytesAsTheyArrive: false,
      totalsAfter: 2,
    });
    expectNeverZeroWhileFilesRemain(readings);
    const known = readings.filter((r) => r.filesLeft >= 0n && r.filesLeft > 0n);
    expectClose(
      known.filter((r) => r.at >= 3),
      0.15,
    );
    expectSteady(known, 0.1);
  });

  it("a push of large files counted as their parts end: bytes dominate, no wild swings", () => {
    const readings = simulate({
      sizes: [...Array.from({ length: 6 }, () => 40 * MIB), ...Array.from({ length: 200 }, () => 64 * 1024)],
      bytesPerSecond: 25 * MIB,
      secondsPerFile: 0.01,
      bytesAsTheyArrive: false,
      totalsAfter: 0,
    });
    expectNeverZeroWhileFilesRemain(readings);
    expectClose(
      readings.filter((r) => r.at >= 4 && r.filesLeft > 0n),
      0.35,
    );
  });

  it("a slow store answering in batches: files end 32 at a time every 1.5 s, the first after a 4 s listing", () => {
    const tracker = new ProgressTracker();
    const start = Date.now();
    tracker.listener({ type: "totals", files: 640n, bytes: 6400n });
    const batchAt = (batch: number) => 4 + 1.5 * (batch + 1);
    const end = batchAt(19);
    const readings: Reading[] = [];
    let done = 0;
    for (let t = 0.5; done < 640; t += 0.5) {
      // Not quite all together: the batch's last few files end in the next half second.
      while (done < 640 && batchAt(Math.floor(done / 32)) + (done % 32 >= 28 ? 0.3 : 0) <= t) {
        tracker.listener({ type: "bytes-moved", bytes: 10 });
        tracker.listener({ type: "file-transferred", path: `f${done}`, size: 10n, multipart: false });
        done++;
      }
      const now = start + t * 1000;
      const s = tracker.snapshot(now);
      const shown = s.estimatedEndTime ? (s.estimatedEndTime.getTime() - now) / 1000 : null;
      readings.push({ at: t, truth: Math.max(0, end - t), shown, filesLeft: remainingFiles(s), file: done });
    }
    expectNeverZeroWhileFilesRemain(readings);
    // Unknown while the listing runs (nothing has ended), then close to the truth, not a fraction of it.
    expect(readings.filter((r) => r.at < batchAt(0)).every((r) => r.shown === null)).toBe(true);
    const low = readings.filter((r) => r.shown !== null && r.truth > 2 && r.shown < r.truth * 0.6);
    expect(low.map((r) => `${r.at}s: ${r.shown} s shown, ${r.truth} s true`)).toEqual([]);
    expectClose(
      readings.filter((r) => r.at >= batchAt(4) && r.filesLeft > 0n),
      0.15,
    );
  });

  it("claims no time left until the totals are known, while counting what is done", () => {
    const readings = simulate({
      sizes: Array.from({ length: 2000 }, () => 2048),
      bytesPerSecond: 20 * MIB,
      secondsPerFile: 0.004,
      bytesAsTheyArrive: false,
      totalsAfter: 4,
    });
    const counting = readings.filter((r) => r.at < 4);
    expect(counting.length).toBeGreaterThan(0);
    expect(counting.every((r) => r.shown === null && r.filesLeft === -1n && r.file > 0)).toBe(true);
    expect(readings.find((r) => r.at === 4)!.shown).not.toBeNull();
  });

  it("says the job ends now once nothing is left", () => {
    const tracker = new ProgressTracker();
    const start = Date.now();
    tracker.listener({ type: "totals", files: 1n, bytes: 10n });
    tracker.listener({ type: "bytes-moved", bytes: 10 });
    tracker.listener({ type: "file-transferred", path: "a", size: 10n, multipart: false });
    const s = tracker.snapshot(start + 500);
    expect(s.estimatedEndTime?.getTime()).toBe(start + 500);
  });
});
