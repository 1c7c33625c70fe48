import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePack, encodePack, packDigest } from "@/lib/engine/tracking-pack";
import { compareUtf8 } from "@/lib/engine/key-order";
import type { TrackedFile } from "@/lib/engine/tracking-store";

function file(path: string, over: Partial<TrackedFile> = {}): TrackedFile {
  return {
    path,
    size: 4096n,
    mtimeNs: 1_764_000_000_123_456_789n,
    ctimeNs: 1_764_000_000_123_456_789n,
    ino: 1_000_000n,
    etagTag: crypto.randomBytes(8).toString("hex"),
    sha256: crypto.randomBytes(32),
    ...over,
  };
}

describe("tracking packs", () => {
  it("give back every field of every file, in key order, whatever the names and numbers", () => {
    const files = [
      file("a"),
      file("a/b/c.txt", { size: 0n, mtimeNs: 0n, ctimeNs: 0n, ino: 0n }),
      // Times before the one before, a ctime before its mtime, an inode far below the last one.
      file("a/b/d.txt", { mtimeNs: -5n, ctimeNs: 1_000_000_000_000_000_000n, ino: 18_446_744_073_709_551_615n }),
      file("a/b/e.txt", { size: 5n * 2n ** 40n, mtimeNs: 1n, ctimeNs: -7n, ino: 2n }),
      file("données/été 😀.bin"),
      file("données/\u{e000}"),
      file("z".repeat(1024)),
    ].sort((x, y) => compareUtf8(x.path, y.path));
    const back = decodePack(encodePack(files));
    expect(back).toEqual(files);
  });

  it("hold an empty range", () => {
    expect(decodePack(encodePack([]))).toEqual([]);
  });

  it("are refused out of key order, so a range never holds a path twice", () => {
    expect(() => encodePack([file("b"), file("a")])).toThrow(/key order: "a"/);
    expect(() => encodePack([file("a"), file("a")])).toThrow(/key order/);
    // UTF-8 order, not UTF-16: U+E000 comes before an astral character.
    expect(() => encodePack([file("😀"), file("\u{e000}")])).toThrow(/key order/);
  });

  it("are refused whole when cut short, lengthened or of an unknown format, never half read", () => {
    const body = encodePack([file("a"), file("b"), file("c")]);
    for (let cut = 1; cut < body.length; cut += 7)
      expect(() => decodePack(body.subarray(0, cut)), `cut at ${cut}`).toThrow(RangeError);
    expect(() => decodePack(Buffer.concat([body, Buffer.from([0])]))).toThrow(/more than its entries/);
    const other = Buffer.from(body);
    other[0] = 2;
    expect(() => decodePack(other)).toThrow(/format 2 cannot be read/);
  });

  it("cost under 70 bytes a file for a tree's usual names", () => {
    const files: TrackedFile[] = [];
    let mtime = 1_764_000_000_000_000_000n;
    for (let d = 0; d < 10; d++)
      for (let f = 0; f < 100; f++) {
        mtime += 1_234_567n;
        const path = `projects/run-${String(d).padStart(3, "0")}/sample-${String(f).padStart(5, "0")}.dat`;
        files.push(file(path, { mtimeNs: mtime, ctimeNs: mtime, ino: BigInt(5_000_000 + d * 100 + f), size: 4096n }));
      }
    const body = encodePack(files);
    expect(body.length / files.length).toBeLessThan(70);
    expect(packDigest(body)).toBe(packDigest(Buffer.from(body)));
    expect(packDigest(body)).not.toBe(packDigest(encodePack(files.slice(1))));
  });
});
