/** Counts units (transfers, or bytes of part buffers); `acquire` waits until enough are free. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ units: number; resolve: () => void }> = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  async acquire(units = 1): Promise<() => void> {
    // A request larger than the whole capacity would wait forever: let it take everything.
    const wanted = Math.min(units, this.capacity);
    if (this.waiters.length === 0 && this.available >= wanted) {
      this.available -= wanted;
    } else {
      await new Promise<void>((resolve) => this.waiters.push({ units: wanted, resolve }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += wanted;
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
