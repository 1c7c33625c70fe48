import type { ProgressSnapshot } from "@/lib/progress/fields";
import { emptyProgress } from "@/lib/progress/record";
import { TimeLeftEstimator } from "@/lib/progress/estimate";
import { filesDone, remainingBytes, remainingFiles } from "@/lib/progress/remaining";
import type { EngineEvent } from "./events";

const WINDOW_MS = 5_000;
const SAMPLE_MS = 100;
const SERIES_EVERY_MS = 2_000;
const SERIES_MAX_POINTS = 300;

/**
 * Turns engine events into the job's progress. Totals come from the scan that runs ahead; until
 * it finishes, nothing derived from them (percentage, remaining, ETA) is claimed.
 */
export class ProgressTracker {
  private readonly started: number;
  /** Bytes moved per tenth of a second over the last WINDOW_MS, oldest first. */
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private s: ProgressSnapshot = emptyProgress();
  private seriesEvery = SERIES_EVERY_MS;
  private lastSampleAt = 0;
  /** Bytes on the wire, parts of unfinished files included (what throughput measures). */
  private wireBytes = 0;
  private readonly timeLeft = new TimeLeftEstimator();
  private absorbed = false;

  /**
   * `base`: counters an earlier attempt committed (a work unit taken over), carried on from;
   * `startedAt`: when the work began (Date.now() scale), where it began before this tracker.
   */
  constructor({
    base,
    startedAt = Date.now(),
  }: { base?: { counts: Partial<ProgressSnapshot>; wireBytes: bigint }; startedAt?: number } = {}) {
    this.started = startedAt;
    if (base) {
      Object.assign(this.s, base.counts);
      this.wireBytes = Number(base.wireBytes);
    }
    this.timeLeft.observe(this.started, this.wireBytes, Number(filesDone(this.s)));
  }

  /** Bytes on the wire so far, parts of unfinished files included. */
  get bytesMoved(): number {
    return this.wireBytes;
  }

  /**
   * Counters kept elsewhere (the work units of a split job, summed): rate, chart and time left
   * follow them. The first call only sets where the bytes stand: a job taken over does not show
   * everything before it as one burst.
   */
  absorb(counts: Partial<ProgressSnapshot>, wireBytes: number): void {
    Object.assign(this.s, counts);
    const delta = wireBytes - this.wireBytes;
    if (this.absorbed && delta > 0) this.addSample(Date.now(), delta);
    this.wireBytes = wireBytes;
    this.absorbed = true;
  }

  readonly listener = (event: EngineEvent): void => {
    const s = this.s;
    switch (event.type) {
      case "mode":
        s.readMode = event.mode;
        break;
      case "totals":
        s.totalsKnown = true;
        s.totalsKnownAt = new Date();
        s.filesTotal = event.files;
        s.bytesTotal = event.bytes;
        break;
      case "bytes-moved":
        this.wireBytes += event.bytes;
        this.addSample(Date.now(), event.bytes);
        break;
      case "file-transferred":
        s.filesTransferred++;
        s.bytesTransferred += event.size;
        break;
      case "file-copied-server-side":
        s.filesCopiedServerSide++;
        s.bytesCopiedServerSide += event.size;
        break;
      case "file-unchanged":
        s.filesUnchanged++;
        s.bytesUnchanged += event.size;
        break;
      case "file-skipped":
        s.entriesSkipped++;
        s.skippedByReason[event.reason] = (s.skippedByReason[event.reason] ?? 0) + 1;
        break;
      case "file-failed":
        s.filesFailed++;
        s.bytesFailed += event.size;
        break;
    }
  };

  /**
   * One sample per tenth of a second, and none older than the window: a sample per event grew
   * with the job (a million small files, a million samples) when nobody took snapshots.
   */
  private addSample(now: number, bytes: number): void {
    const bucket = now - (now % SAMPLE_MS);
    const last = this.samples.at(-1);
    if (last && last.at === bucket) last.bytes += bytes;
    else this.samples.push({ at: bucket, bytes });
    this.dropOldSamples(now);
  }

  private dropOldSamples(now: number): void {
    let old = 0;
    while (old < this.samples.length && this.samples[old]!.at < now - WINDOW_MS) old++;
    if (old > 0) this.samples.splice(0, old);
  }

  snapshot(now = Date.now()): ProgressSnapshot {
    this.dropOldSamples(now);
    const windowBytes = this.samples.reduce((sum, sample) => sum + sample.bytes, 0);
    const windowMs = Math.min(WINDOW_MS, Math.max(1, now - this.started));
    const s = { ...this.s, skippedByReason: { ...this.s.skippedByReason } };
    s.throughputCurrent = (windowBytes * 1000) / windowMs;
    s.throughputOverall = (this.wireBytes * 1000) / Math.max(1, now - this.started);
    s.estimatedEndTime = this.estimate(s, now);
    this.sample(now, s.throughputCurrent);
    s.throughputSeries = [...this.s.throughputSeries];
    return s;
  }

  private sample(now: number, rate: number): void {
    if (now - this.lastSampleAt < this.seriesEvery) return;
    this.lastSampleAt = now;
    const series = this.s.throughputSeries;
    series.push([Math.round((now - this.started) / 1000), Math.round(rate)]);
    if (series.length > SERIES_MAX_POINTS) {
      // Keep every other point and sample half as often: bounded, whatever the job's length.
      this.s.throughputSeries = series.filter((_, i) => i % 2 === 0);
      this.seriesEvery *= 2;
    }
  }

  /** From both bytes and files left, at the costs this job has shown (lib/progress/estimate.ts). */
  private estimate(s: ProgressSnapshot, now: number): Date | null {
    this.timeLeft.observe(now, this.wireBytes, Number(filesDone(s)));
    if (!s.totalsKnown) return null;
    // Bytes already on the wire for files not yet finished are not left to send.
    const inFlight = Math.max(0, this.wireBytes - Number(s.bytesTransferred));
    const end = this.timeLeft.estimate(now, {
      bytes: Math.max(0, Number(remainingBytes(s)) - inFlight),
      files: Number(remainingFiles(s)),
    });
    return end === null ? null : new Date(end);
  }
}
