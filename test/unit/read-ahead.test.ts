import { describe, expect, it } from "vitest";
import { ReadAhead } from "@/lib/engine/read-ahead";

/** A source that records how far it was pulled and whether it was closed. */
function counting(total: number, failAt?: number) {
  const state = { pulled: 0, closed: false };
  async function* source() {
    try {
      for (let i = 0; i < total; i++) {
        if (i === failAt) throw new Error(`failed at ${i}`);
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("ReadAhead", () => {
  it("pulls ahead before anything is consumed, never holding more than its limit, and yields everything in order", async () => {
    const { state, source } = counting(10_000);
    const ahead = new ReadAhead(source, 100);
    await settle();
    expect(state.pulled).toBe(100);
    const seen: number[] = [];
    for await (const item of ahead) seen.push(item);
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(state.closed).toBe(true);
  });

  it("closes its source when closed unconsumed, or when the consumer stops early", async () => {
    const unconsumed = counting(1_000);
    await new ReadAhead(unconsumed.source, 10).close();
    expect(unconsumed.state.closed).toBe(true);

    const early = counting(1_000);
    for await (const item of new ReadAhead(early.source, 10)) if (item === 5) break;
    expect(early.state.closed).toBe(true);
    expect(early.state.pulled).toBeLessThan(30);
  });

  it("passes a failure of its source on to the consumer, after the items before it", async () => {
    const { source } = counting(100, 42);
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of new ReadAhead(source, 10)) seen.push(item);
    }).rejects.toThrow("failed at 42");
    expect(seen).toHaveLength(42);
  });

  it("says once that it is full, when its source runs its limit ahead, and never for a source that fits", async () => {
    let fullCalls = 0;
    const large = counting(1_000);
    const ahead = new ReadAhead(large.source, 100, () => fullCalls++);
    await settle();
    expect(fullCalls).toBe(1);
    for await (const _ of ahead);
    expect(fullCalls).toBe(1);

    let smallCalls = 0;
    const small = counting(99);
    const fits = new ReadAhead(small.source, 100, () => smallCalls++);
    await settle();
    for await (const _ of fits);
    expect(smallCalls).toBe(0);
  });
});
