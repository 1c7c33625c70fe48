import crypto from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { etagTag, TrackingStore } from "@/lib/engine/tracking-store";
import { makeTempDir } from "../support/engine-harness";

describe("tracking rows", () => {
  it("tell ETags apart by an 8-byte tag, whatever the ETag's form", () => {
    const etags = [
      "9e107d9d372bb6826bd81d3542a419d6",
      "ff107d9d372bb6826bd81d3542a419d6",
      "d41d8cd98f00b204e9800998ecf8427e-12",
      "W/opaque",
    ];
    const tags = etags.map(etagTag);
    expect(new Set(tags).size).toBe(etags.length);
    for (const tag of tags) expect(tag).toMatch(/^[0-9a-f]{16}$/);
    // The first 8 bytes of the ETag's SHA-256, as tracking files already written hold them.
    expect(etagTag(etags[0]!)).toBe(crypto.createHash("sha256").update(etags[0]!).digest("hex").slice(0, 16));
  });

  it("round-trip through the store in key order, with 64-bit times and ctime kept exactly", async () => {
    const store = new TrackingStore(path.join(makeTempDir(), "t.db"));
    const row = (p: string, ctimeNs: bigint) => ({
      path: p,
      size: 5n * 1024n ** 4n,
      mtimeNs: 1_795_550_176_593_684_046n,
      ctimeNs,
      ino: 2n ** 40n,
      etagTag: etagTag(p),
      sha256: Buffer.alloc(32, 1),
    });
    const rows = [
      row("b", 1_795_550_176_593_684_999n),
      row("a/z", 1_795_550_176_593_684_046n),
      row("a.txt", 1_795_550_100_000_000_000n),
      row("é", 1n),
    ];
    for (const r of rows) store.put(r);
    const read = [];
    for await (const r of store.rows()) read.push(r);
    expect(read.map((r) => r.path)).toEqual(["a.txt", "a/z", "b", "é"]);
    expect(read).toEqual(expect.arrayContaining(rows));
    store.close();
  });

  it("cut the tracked paths into equal runs of at least the given size, at most the given number", () => {
    const store = new TrackingStore(path.join(makeTempDir(), "t.db"));
    for (let i = 0; i < 10; i++)
      store.put({
        path: `f${i}`,
        size: 1n,
        mtimeNs: 1n,
        ctimeNs: 1n,
        ino: BigInt(i),
        etagTag: etagTag("e"),
        sha256: Buffer.alloc(32),
      });
    expect(store.splitPoints(3, 4)).toEqual(["f3", "f6"]);
    expect(store.splitPoints(1, 2)).toEqual(["f5"]);
    expect(store.splitPoints(6, 4)).toEqual([]);
    store.close();
  });
});
