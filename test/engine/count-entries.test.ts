// Telling whether a tree is large enough to split, from its directories' listings alone.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { countEntries } from "@/lib/engine/count-entries";
import { TreeHandle } from "@/lib/fs/beneath";
import { makeTempDir, writeFile } from "../support/engine-harness";

const root = makeTempDir("s3shift-count-");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("counting a tree's entries", () => {
  it("counts what is not a directory, at every depth, never through a link, and stops at the limit", async () => {
    for (let i = 0; i < 30; i++) writeFile(root, `a/b/c/f${i}`, "x");
    for (let i = 0; i < 30; i++) writeFile(root, `d/f${i}`, "x");
    for (let i = 0; i < 5; i++) writeFile(root, `top${i}`, "x");
    fs.mkdirSync(path.join(root, "empty"));
    const outside = makeTempDir("s3shift-count-outside-");
    for (let i = 0; i < 50; i++) writeFile(outside, `o${i}`, "x");
    // A link to a directory with 50 entries counts as one entry, and is not entered.
    fs.symlinkSync(outside, path.join(root, "link"));
    const tree = TreeHandle.open(root);
    try {
      expect(await countEntries(tree, 1_000)).toBe(66);
      // It stops after the directory that reaches the limit.
      expect(await countEntries(tree, 10)).toBe(36);
      // Past its deadline, it says what it counted so far.
      expect(await countEntries(tree, 1_000, performance.now() - 1)).toBe(0);
    } finally {
      tree.close();
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
