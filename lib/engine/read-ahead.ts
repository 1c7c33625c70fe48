/**
 * Pulls from `source` ahead of its consumer, holding at most `limit` items, starting at once:
 * the tree walk (one lstat per entry) then overlaps with the bucket's listing, which the job
 * must finish before it consumes either. Memory stays bounded by `limit`, whatever the tree's size.
 * `close()` ends the pulling and the source, whether or not anything was consumed.
 */
export class ReadAhead<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private finished = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private wakeConsumer?: () => void;
  private wakeProducer?: () => void;
  private readonly source: AsyncIterator<T>;
  private readonly pump: Promise<void>;

  /** `onFull` is called once, the first time the source is `limit` items ahead of the consumer. */
  constructor(
    source: AsyncIterable<T>,
    private readonly limit: number,
    private readonly onFull?: () => void,
  ) {
    this.source = source[Symbol.asyncIterator]();
    this.pump = this.run();
  }

  private get buffered(): number {
    return this.items.length - this.head;
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        if (this.buffered >= this.limit) {
          this.reportFull();
          await new Promise<void>((resolve) => (this.wakeProducer = resolve));
          continue;
        }
        const next = await this.source.next();
        if (next.done) break;
        this.items.push(next.value);
        this.signalConsumer();
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.finished = true;
      this.signalConsumer();
    }
  }

  private reportedFull = false;
  private reportFull(): void {
    if (this.reportedFull) return;
    this.reportedFull = true;
    this.onFull?.();
  }

  private signalConsumer(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  private signalProducer(): void {
    const wake = this.wakeProducer;
    this.wakeProducer = undefined;
    wake?.();
  }

  private take(): T {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    // Drop the consumed front now and then, so the array does not grow with the whole tree.
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.buffered > 0) {
          const item = this.take();
          this.signalProducer();
          yield item;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.signalProducer();
    await this.pump;
    await this.source.return?.();
  }
}
