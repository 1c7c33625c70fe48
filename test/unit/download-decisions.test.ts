import type { BigIntStats } from "node:fs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { carriesObjectTime, decideDownload } from "@/lib/engine/decide-download";
import { placeKey, storageClassRefusal } from "@/lib/engine/key-path";
import type { RemoteObject } from "@/lib/engine/remote-listing";
import { etagTag, type TrackedFile } from "@/lib/engine/tracking-store";

const object = (relPath: string, size = 3n, extra: Partial<RemoteObject> = {}): RemoteObject => ({
  relPath,
  size,
  etag: "0123456789abcdef0123456789abcdef",
  lastModified: new Date("2026-05-01T10:00:00.000Z"),
  ...extra,
});

describe("placing a key under the directory", () => {
  it.each([
    ["a/b/c.txt", 3n, { kind: "file", relPath: "a/b/c.txt" }],
    ["a/b/", 0n, { kind: "directory", relPath: "a/b" }],
    ["", 0n, { kind: "none" }],
    ["%2e%2e/x", 3n, { kind: "file", relPath: "%2e%2e/x" }],
    ["．．/x", 3n, { kind: "file", relPath: "．．/x" }],
    ["...", 3n, { kind: "file", relPath: "..." }],
    ["a\\..\\b", 3n, { kind: "file", relPath: "a\\..\\b" }],
  ] as const)("places %j", (relPath, size, expected) => {
    expect(placeKey(object(relPath, size))).toEqual(expected);
  });

  it.each([
    ["", 5n, "is the folder itself yet holds data"],
    ["a/", 5n, 'ends with "/" yet holds 5 bytes'],
    ["a//b", 3n, 'contains "//" (an empty path component)'],
    ["a//", 0n, 'contains "//" (an empty path component)'],
    ["/a", 3n, 'starts with "/" after the folder (an empty path component)'],
    ["..", 3n, 'has a "." or ".." path component'],
    ["a/./b", 3n, 'has a "." or ".." path component'],
    ["a/../b", 3n, 'has a "." or ".." path component'],
    ["../", 0n, 'has a "." or ".." path component'],
    [".snapshot", 3n, 'has a ".snapshot" path component'],
    ["x/.snapshot/", 0n, 'has a ".snapshot" path component'],
    ["a\u0000b", 3n, "contains a NUL character"],
    ["é".repeat(128), 3n, "has a path component longer than 255 bytes"],
  ] as const)("refuses %j", (relPath, size, reason) => {
    expect(placeKey(object(relPath, size))).toEqual({ kind: "refused", reason });
  });

  it("accepts a component of exactly 255 bytes", () => {
    expect(placeKey(object("n".repeat(255))).kind).toBe("file");
  });

  it("refuses GLACIER and DEEP_ARCHIVE, not instant-retrieval or standard classes", () => {
    expect(storageClassRefusal(object("a", 1n, { storageClass: "GLACIER" }))).toMatch(/archival storage class GLACIER/);
    expect(storageClassRefusal(object("a", 1n, { storageClass: "DEEP_ARCHIVE" }))).toMatch(/DEEP_ARCHIVE/);
    for (const cls of ["STANDARD", "GLACIER_IR", "STANDARD_IA", "INTELLIGENT_TIERING", undefined]) {
      expect(storageClassRefusal(object("a", 1n, { storageClass: cls }))).toBeUndefined();
    }
  });
});

describe("the download decision", () => {
  const remote = object("f.txt", 10n);
  const mtimeNs = BigInt(remote.lastModified!.getTime()) * 1_000_000n;
  const tracked: TrackedFile = {
    path: "f.txt",
    size: 10n,
    mtimeNs,
    ctimeNs: mtimeNs + 5n,
    ino: 42n,
    etagTag: etagTag(remote.etag),
    sha256: Buffer.alloc(32),
  };
  const local = (changes: Partial<Record<"size" | "mtimeNs" | "ctimeNs" | "ino", bigint>> = {}) =>
    ({ size: 10n, mtimeNs, ctimeNs: mtimeNs + 5n, ino: 42n, ...changes }) as unknown as BigIntStats;

  it.each([
    ["no local file", undefined, null, "download"],
    ["tracked object, untouched file", tracked, local(), "skip-unchanged"],
    [
      "tracked object, touched file of the same size",
      tracked,
      local({ ctimeNs: mtimeNs + 9n }),
      "verify-then-download",
    ],
    ["tracked object, file replaced (new inode)", tracked, local({ ino: 43n }), "verify-then-download"],
    ["tracked object, file of another size", tracked, local({ size: 11n }), "download"],
    ["object with a new ETag", { ...tracked, etagTag: etagTag("other") }, local(), "adopt-or-download"],
    ["object with a new last-modified", { ...tracked, mtimeNs: mtimeNs - 1_000_000n }, local(), "adopt-or-download"],
    ["untracked, same size", undefined, local(), "adopt-or-download"],
    ["untracked, other size", undefined, local({ size: 3n }), "download"],
  ] as const)("%s → %s", (_label, row, stat, action) => {
    expect(decideDownload(remote, row, stat)).toEqual({ action });
  });
});

describe("a file given the object's time", () => {
  it("carries it to the millisecond, although utimes() sets floating-point seconds a little below it", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-times-")), "f");
    fs.writeFileSync(file, "x");
    let inexact = 0;
    for (let ms = 1795999599001; ms < 1795999599201; ms++) {
      const listed = object("f", 1n, { lastModified: new Date(ms) });
      fs.utimesSync(file, new Date(), listed.lastModified!);
      const mtimeNs = fs.statSync(file, { bigint: true }).mtimeNs;
      if (mtimeNs !== BigInt(ms) * 1_000_000n) inexact++;
      expect(carriesObjectTime(mtimeNs, listed)).toBe(true);
      expect(carriesObjectTime(mtimeNs + 1_000_000n, listed)).toBe(false);
    }
    // Why the comparison cannot be exact: most of these times are set a microsecond or so early.
    expect(inexact).toBeGreaterThan(0);
  });
});
