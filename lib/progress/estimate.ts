/**
 * Time left from both bytes and files. A job's time goes to moving bytes and to a cost per file
 * (requests, renames, tracking rows), and which one dominates changes as the job goes: a few large
 * files move at the link's rate, thousands of small ones at the rate of their requests. Counting
 * bytes alone said "0 s left" with thousands of small files to go.
 *
 * The model: seconds = bytes × secondsPerByte + files × secondsPerFile, both learnt from the job
 * itself by least squares over the intervals between observations, recent ones weighing most, and
 * the end time shown follows the estimate smoothly.
 */

/** An interval's weight halves every HALF_LIFE_S: the rates of the last half minute count most. */
const HALF_LIFE_S = 15;
/** How quickly the shown end time follows a new estimate: about two thirds of a change in SMOOTH_S. */
const SMOOTH_S = 1.5;
/**
 * Typical costs (100 MiB/s; 2 ms a file at a job's concurrency) and how much they weigh, so
 * little that the intervals that can tell the two costs apart soon outweigh them.
 */
const PRIOR_PER_MIB = 0.01;
const PRIOR_PER_FILE = 0.002;
const PRIOR_WEIGHT = 0.001;
const MIB = 1024 * 1024;
/** Longest quiet stretch still counted as part of the work that ends it. */
const MAX_QUIET_MS = 60_000;

interface Sums {
  bb: number;
  bf: number;
  ff: number;
  bt: number;
  ft: number;
}

const emptySums = (): Sums => ({ bb: 0, bf: 0, ff: 0, bt: 0, ft: 0 });

interface Point {
  at: number;
  bytes: number;
  files: number;
}

export interface Work {
  /** Bytes still to move (not counting those already on the wire for unfinished files). */
  bytes: number;
  /** Files still to finish. */
  files: number;
}

export class TimeLeftEstimator {
  private last?: Point;
  /** The first observation: where the first guess counts from. */
  private origin?: Point;
  private sums = emptySums();
  /** Seconds per MiB and per file, as last solved. */
  private perMiB = 0;
  private perFile = 0;
  private learnt = false;
  /** Whether anything has finished yet. */
  private moving = false;
  /** Whether the costs are still the first guess, from the time before anything finished. */
  private guessing = false;
  private shown?: { at: number; end: number };

  /**
   * Notes what the job has done by `at` (ms): bytes on the wire and files finished (copied,
   * unchanged, copied server-side or failed), both cumulative.
   */
  observe(at: number, bytes: number, files: number): void {
    const last = this.last;
    if (!last || at <= last.at) {
      this.last ??= { at, bytes, files };
      return;
    }
    const db = Math.max(0, bytes - last.bytes) / MIB;
    const df = Math.max(0, files - last.files);
    const moved = db > 0 || df > 0;
    if (!this.moving) {
      // The time before anything finished holds a listing and the first requests' wait, so it is
      // not learnt from: it only gives a first guess, replaced at the next thing done.
      this.moving = moved;
      if (moved) {
        this.solve(this.interval(this.origin ?? last, { at, bytes, files }, emptySums()));
        this.guessing = true;
      }
      this.origin ??= last;
      this.last = { at, bytes, files };
      return;
    }
    if (!moved) {
      // Parts and files are counted when they end, so quiet intervals belong to the next one
      // that moves; a long wait (a stalled store) is no cost of the work.
      if (at - last.at > MAX_QUIET_MS) this.last = { at, bytes, files };
      return;
    }
    this.sums = this.interval(last, { at, bytes, files }, this.sums);
    this.last = { at, bytes, files };
    this.solve(this.sums);
    if (this.guessing) {
      // The first guess is dropped outright, not followed: it was never a measure.
      this.guessing = false;
      this.shown = undefined;
    }
  }

  /** The sums with one more interval, older intervals fading. */
  private interval(from: Point, to: Point, s: Sums): Sums {
    const dt = (to.at - from.at) / 1000;
    const db = Math.max(0, to.bytes - from.bytes) / MIB;
    const df = Math.max(0, to.files - from.files);
    const keep = Math.pow(0.5, dt / HALF_LIFE_S);
    // Each interval weighs by the inverse of its work (at the typical costs, the same scale for
    // every interval): work ends in lumps (a batch of requests, then a few stragglers), and a plain
    // fit of lumps against equal intervals comes out low; weighted so, a single cost is the total
    // time over the total work.
    const w = 1 / (db * PRIOR_PER_MIB + df * PRIOR_PER_FILE);
    return {
      bb: s.bb * keep + w * db * db,
      bf: s.bf * keep + w * db * df,
      ff: s.ff * keep + w * df * df,
      bt: s.bt * keep + w * db * dt,
      ft: s.ft * keep + w * df * dt,
    };
  }

  /** The two costs learnt so far (seconds per MiB, seconds per file); null before any work. */
  costs(): { secondsPerMiB: number; secondsPerFile: number } | null {
    return this.learnt ? { secondsPerMiB: this.perMiB, secondsPerFile: this.perFile } : null;
  }

  /**
   * When the job should end (ms), smoothed so a change in the mix moves it over a few seconds
   * rather than at once; never now while work remains. Null before anything has moved.
   */
  estimate(at: number, left: Work): number | null {
    if (left.bytes <= 0 && left.files <= 0) {
      this.shown = { at, end: at };
      return at;
    }
    if (!this.learnt) return null;
    const seconds = (left.bytes / MIB) * this.perMiB + left.files * this.perFile;
    // At least a second while anything remains: never "0 s left" with files still to go.
    const raw = at + Math.max(1, seconds) * 1000;
    const shown = this.shown;
    let end = raw;
    if (shown && at > shown.at) {
      const follow = 1 - Math.exp(-(at - shown.at) / 1000 / SMOOTH_S);
      end = shown.end + (raw - shown.end) * follow;
    } else if (shown) end = shown.end;
    end = Math.max(end, at + 1000);
    this.shown = { at, end };
    return end;
  }

  /**
   * Least squares, neither cost below zero, with a weak pull towards typical costs. The pull
   * decides only what the intervals cannot: when every interval so far had the same mix (all
   * large files, or all small ones), it lays the time on whichever cost dominates the mix rather
   * than halving it, so a file's cost is not inflated by a large file's bytes, nor the bytes' by
   * many small files' requests.
   */
  private solve({ bb, bf, ff, bt, ft }: Sums): void {
    const pullB = PRIOR_WEIGHT / PRIOR_PER_MIB ** 2;
    const pullF = PRIOR_WEIGHT / PRIOR_PER_FILE ** 2;
    const a11 = bb + pullB;
    const a22 = ff + pullF;
    const y1 = bt + pullB * PRIOR_PER_MIB;
    const y2 = ft + pullF * PRIOR_PER_FILE;
    const det = a11 * a22 - bf * bf;
    let perMiB = (y1 * a22 - bf * y2) / det;
    let perFile = (a11 * y2 - bf * y1) / det;
    if (perMiB < 0) {
      perMiB = 0;
      perFile = (ft + pullF * PRIOR_PER_FILE) / a22;
    } else if (perFile < 0) {
      perFile = 0;
      perMiB = y1 / a11;
    }
    this.perMiB = Math.max(0, perMiB);
    this.perFile = Math.max(0, perFile);
    this.learnt = true;
  }
}
