import { Semaphore } from "@/lib/concurrency/semaphore";

export interface PartBuffer {
  buffer: Buffer;
  /** Gives the buffer back; the caller must hold no reference to it afterwards. */
  release: () => void;
}

/**
 * The job's buffers for large files (a chunk for each part in flight and each first read), at
 * most `capacity` bytes in use, reused rather than allocated each time: fresh memory costs page
 * faults and garbage collection. Buffers given back stay pooled while in-use plus pooled bytes
 * fit in the capacity, so the memory they hold never exceeds it.
 */
export class PartBuffers {
  private readonly budget: Semaphore;
  private readonly pooled = new Map<number, Buffer[]>();
  private pooledBytes = 0;
  private inUseBytes = 0;

  constructor(readonly capacity: number) {
    this.budget = new Semaphore(capacity);
  }

  async take(length: number): Promise<PartBuffer> {
    const [buffer] = await this.takeMany(length, 1);
    return buffer!;
  }

  /**
   * `count` buffers of `length` bytes, reserved at once: a caller that holds some never waits for
   * more, so callers cannot deadlock each other over the budget.
   */
  async takeMany(length: number, count: number): Promise<PartBuffer[]> {
    const releaseUnits = await this.budget.acquire(length * count);
    return Array.from({ length: count }, () => this.handOut(length, releaseUnits));
  }

  private handOut(length: number, releaseUnits: (share: number) => void): PartBuffer {
    this.inUseBytes += length;
    const buffer = this.pooled.get(length)?.pop();
    if (buffer) this.pooledBytes -= length;
    else this.evictBeyondCapacity();
    const owned = buffer ?? Buffer.allocUnsafeSlow(length);
    let released = false;
    return {
      buffer: owned,
      release: () => {
        if (released) return;
        released = true;
        this.inUseBytes -= length;
        if (this.inUseBytes + this.pooledBytes + length <= this.capacity) {
          let free = this.pooled.get(length);
          if (!free) this.pooled.set(length, (free = []));
          free.push(owned);
          this.pooledBytes += length;
        }
        releaseUnits(length);
      },
    };
  }

  /** Drops pooled buffers (of other sizes) until a fresh allocation fits in the capacity. */
  private evictBeyondCapacity(): void {
    for (const [size, buffers] of this.pooled) {
      while (buffers.length > 0 && this.inUseBytes + this.pooledBytes > this.capacity) {
        buffers.pop();
        this.pooledBytes -= size;
      }
      if (buffers.length === 0) this.pooled.delete(size);
    }
  }
}
