// The mark of what a work unit has dealt with, and the dispatcher's wait for room in it.
import { describe, expect, it } from "vitest";
import { Completions } from "@/lib/engine/completions";

const key = (i: number) => `k${String(i).padStart(5, "0")}`;

describe("a unit's completions", () => {
  it("keeps the dispatcher waiting while 10,000 keys are open, until one joins the mark or the work is stopped", async () => {
    const completions = new Completions();
    for (let i = 0; i < 10_000; i++) completions.dispatched(key(i));
    // Every key after the first finishes: the first, slow, holds them all open.
    for (let i = 1; i < 10_000; i++) completions.finished(key(i));
    const stop = new AbortController();
    let roomMade = false;
    const waiting = completions.room(stop.signal).then(() => (roomMade = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(roomMade).toBe(false);
    expect(completions.mark()).toMatchObject({ through: undefined });
    expect(completions.mark().beyond).toHaveLength(9_999);

    // A stop ends the wait: the slow transfer may never finish.
    stop.abort();
    await waiting;
    expect(roomMade).toBe(true);

    // Once the slow key finishes, all of them join `through`, and there is room at once.
    completions.finished(key(0));
    expect(completions.mark()).toEqual({ through: key(9_999), beyond: [] });
    await completions.room(new AbortController().signal);
  });
});
