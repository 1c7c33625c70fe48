import { describe, expect, it } from "vitest";
import { restartDelay } from "@/lib/process/restart-delay";

describe("restartDelay", () => {
  it("waits 1 s after a first death, doubles after each quick one up to a minute, and starts over after a long run", () => {
    const waits: number[] = [];
    let previous: number | undefined;
    for (let i = 0; i < 9; i++) waits.push((previous = restartDelay(previous, 200)));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(restartDelay(60_000, 5 * 60_000)).toBe(1_000);
    expect(restartDelay(4_000, 5 * 60_000 - 1)).toBe(8_000);
  });
});
