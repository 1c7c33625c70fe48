/** Counts units (transfers, or bytes of part buffers); `acquire` waits until enough are free. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ units: number; resolve: () => void }> = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  /** Waits for `units`; the returned function gives back some of them (a share) or all that remain. */
  async acquire(units = 1): Promise<(share?: number) => void> {
    // A request larger than the whole capacity would wait forever: let it take everything.
    const wanted = Math.min(units, this.capacity);
    if (this.waiters.length === 0 && this.available >= wanted) {
      this.available -= wanted;
    } else {
      await new Promise<void>((resolve) => this.waiters.push({ units: wanted, resolve }));
    }
    let held = wanted;
    return (share = held) => {
      const returned = Math.min(share, held);
      if (returned <= 0) return;
      held -= returned;
      this.available += returned;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.available >= this.waiters[0]!.units) {
      const next = this.waiters.shift()!;
      this.available -= next.units;
      next.resolve();
    }
  }
}
