// Where a job's work units are cut: at the shared tracking's packs (a repeat), or as a walk passes
// their ends (a first copy, or a plan a lost coordinator left unfinished).
import { describe, expect, it } from "vitest";
import { unitsFromPacks, WalkCutter } from "@/lib/jobs/units/plan-units";
import type { LocalEntry } from "@/lib/engine/walk";

const entry = (relPath: string): LocalEntry => ({ relPath, kind: "file" });

describe("cutting a job into units", () => {
  it("cuts packs into units of about the target, only at packs' first keys, covering every key once", () => {
    const packs = ["", "b", "c", "d", "e", "f", "g", "h"].map((lowerBound) => ({ lowerBound, files: 500 }));
    // Shuffled: the database gives no order.
    const units = unitsFromPacks([...packs].reverse(), 1_000)!;
    expect(units).toEqual([
      { index: 0, lowerBound: "", upperBound: "c" },
      { index: 1, lowerBound: "c", upperBound: "e" },
      { index: 2, lowerBound: "e", upperBound: "g" },
      { index: 3, lowerBound: "g", upperBound: null },
    ]);
    // Fewer than two units' worth: the job runs whole.
    expect(unitsFromPacks(packs.slice(0, 3), 1_000)).toBeNull();
  });

  it("orders packs by UTF-8 bytes, as the keys are listed", () => {
    const packs = ["", "\u{1F600}", "\uFF5E", "z"].map((lowerBound) => ({ lowerBound, files: 600 }));
    const units = unitsFromPacks(packs, 1_000)!;
    // U+FF5E sorts before U+1F600 in UTF-8, though not in UTF-16.
    expect(units.map((u) => u.lowerBound)).toEqual(["", "\uFF5E"]);
  });

  it("cuts a walk every so many entries, from where an unfinished plan stopped", () => {
    const cutter = new WalkCutter(2, { from: "", nextIndex: 0 });
    const cuts = ["a", "b", "c", "d", "e"].map((p) => cutter.see(entry(p))).filter(Boolean);
    expect(cuts).toEqual([
      { index: 0, lowerBound: "", upperBound: "c" },
      { index: 1, lowerBound: "c", upperBound: "e" },
    ]);
    expect(cutter.finish()).toEqual({ index: 2, lowerBound: "e", upperBound: null });

    const resumed = new WalkCutter(2, { from: "c", nextIndex: 1 });
    const again = ["a", "b", "c", "d", "e", "f", "g"].map((p) => resumed.see(entry(p))).filter(Boolean);
    expect(again).toEqual([
      { index: 1, lowerBound: "c", upperBound: "e" },
      { index: 2, lowerBound: "e", upperBound: "g" },
    ]);
  });
});
