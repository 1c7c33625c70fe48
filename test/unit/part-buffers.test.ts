import { describe, expect, it } from "vitest";
import { PartBuffers } from "@/lib/engine/part-buffers";

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("part buffers", () => {
  it("hands a given-back buffer out again instead of allocating another", async () => {
    const buffers = new PartBuffers(64);
    const first = await buffers.take(16);
    first.release();
    const second = await buffers.take(16);
    expect(second.buffer).toBe(first.buffer);
  });

  it("makes a taker wait while the capacity is in use, and serves it when enough comes back", async () => {
    const buffers = new PartBuffers(32);
    const held = await buffers.takeMany(16, 2);
    let served = false;
    const waiting = buffers.take(16).then((b) => ((served = true), b));
    await settle();
    expect(served).toBe(false);
    held[0]!.release();
    const got = await waiting;
    expect(served).toBe(true);
    expect(got.buffer.length).toBe(16);
    // Giving the same buffer back twice returns its share once.
    held[0]!.release();
    let third = false;
    void buffers.take(16).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
  });

  it("reserves a batch at once, so that holders of part of the capacity never wait on each other", async () => {
    const buffers = new PartBuffers(48);
    const a = await buffers.takeMany(16, 2);
    let batchServed = false;
    const batch = buffers.takeMany(16, 2).then((b) => ((batchServed = true), b));
    await settle();
    // 16 bytes are free, but the batch needs 32: it waits rather than holding half.
    expect(batchServed).toBe(false);
    a[1]!.release();
    expect((await batch).map((b) => b.buffer.length)).toEqual([16, 16]);
  });

  it("drops pooled buffers of another size rather than hold more memory than the capacity", async () => {
    const buffers = new PartBuffers(32);
    const small = await buffers.takeMany(8, 4);
    small.forEach((b) => b.release());
    const large = await buffers.take(32);
    // All 32 bytes are in use by the large buffer: no small one may remain pooled beside it.
    large.release();
    const again = await buffers.take(8);
    expect(small.map((b) => b.buffer)).not.toContain(again.buffer);
  });
});
