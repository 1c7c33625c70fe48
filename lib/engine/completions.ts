import { compareUtf8 } from "./key-order";

/** Dispatched keys waiting to join `through`, at most: the mark stays below about 10,000 keys. */
const MAX_OPEN = 10_000;

/** What an attempt has dealt with, in a form a later attempt can pass over (see `Completions`). */
export interface DoneMark {
  /** Every key up to and including it. */
  through?: string;
  /** Keys after `through` dealt with too, in key order. */
  beyond: string[];
}

/**
 * Keys dispatched in key order and finished in any order (transfers overlap): the mark says
 * which are finished, compactly, so that an attempt that follows a lost one passes over them
 * and counts nothing twice. Read at the same moment as the counters, it agrees with them.
 */
export class Completions {
  /** Dispatched keys not yet covered by `through`, oldest first; true once finished. */
  private readonly open = new Map<string, boolean>();
  private through: string | undefined;
  private finishedOpen = 0;
  /** Keys an earlier attempt finished after its `through`: never dispatched here, still dealt with. */
  private carried: string[];
  private wakeDispatcher: (() => void) | undefined;

  constructor(resumeFrom?: DoneMark) {
    this.through = resumeFrom?.through;
    this.carried = [...(resumeFrom?.beyond ?? [])];
  }

  dispatched(key: string): void {
    this.open.set(key, false);
  }

  /**
   * Resolves once fewer than MAX_OPEN dispatched keys wait to join `through` (one slow transfer
   * must not let the mark grow with every file finished after it), or once `signal` aborts.
   */
  async room(signal: AbortSignal): Promise<void> {
    while (this.open.size >= MAX_OPEN && !signal.aborted) {
      // A stop or a failure ends the wait: the transfer it waits on may never finish.
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.wakeDispatcher = wake;
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  finished(key: string): void {
    if (this.open.get(key) !== false) return;
    this.open.set(key, true);
    this.finishedOpen++;
    // The oldest keys, once finished, join `through`: Map iterates in insertion (= key) order.
    for (const [oldest, done] of this.open) {
      if (!done) break;
      this.open.delete(oldest);
      this.finishedOpen--;
      this.through = oldest;
    }
    if (this.open.size < MAX_OPEN && this.wakeDispatcher) {
      this.wakeDispatcher();
      this.wakeDispatcher = undefined;
    }
  }

  mark(): DoneMark {
    const through = this.through;
    if (through !== undefined && this.carried.length > 0)
      this.carried = this.carried.filter((key) => compareUtf8(key, through) > 0);
    const beyond = [...this.carried];
    if (this.finishedOpen > 0) for (const [key, done] of this.open) if (done) beyond.push(key);
    return { through, beyond: this.carried.length > 0 ? beyond.sort(compareUtf8) : beyond };
  }
}

/** Whether an earlier attempt dealt with `key`, by its mark. */
export function doneBefore(mark: DoneMark | undefined, beyond: ReadonlySet<string>, key: string): boolean {
  if (!mark) return false;
  return (mark.through !== undefined && compareUtf8(key, mark.through) <= 0) || beyond.has(key);
}
