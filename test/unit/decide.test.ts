import type { BigIntStats } from "node:fs";
import { describe, expect, it } from "vitest";
import { decide, type DecisionInput } from "@/lib/engine/decide";
import { etagTag } from "@/lib/engine/tracking-store";
import type { LocalEntry } from "@/lib/engine/walk";

const stat = (over: Partial<Record<"size" | "mtimeNs" | "ctimeNs" | "ino" | "nlink", bigint>> = {}) =>
  ({ size: 10n, mtimeNs: 1000n, ctimeNs: 2000n, ino: 42n, nlink: 1n, ...over }) as unknown as BigIntStats;
const file = (over = {}): LocalEntry => ({ relPath: "a.txt", kind: "file", stat: stat(over) });
const tracked = {
  path: "a.txt",
  size: 10n,
  mtimeNs: 1000n,
  ctimeNs: 2000n,
  ino: 42n,
  etagTag: etagTag("e1"),
  sha256: Buffer.alloc(32),
};
const remote = { relPath: "a.txt", size: 10n, etag: "e1" };

const cases: Array<[string, DecisionInput, string]> = [
  ["new file, nothing remote", { entry: file(), key: "a.txt" }, "upload"],
  ["tracked, fingerprint and object match", { entry: file(), key: "a.txt", tracked, remote }, "skip-unchanged"],
  [
    "tracked, mtime moved, object still tracked one",
    { entry: file({ mtimeNs: 1n }), key: "a.txt", tracked, remote },
    "verify-then-upload",
  ],
  ["tracked, size changed", { entry: file({ size: 11n }), key: "a.txt", tracked, remote }, "upload"],
  ["tracked, object gone", { entry: file(), key: "a.txt", tracked }, "upload"],
  [
    "tracked, object replaced (other ETag)",
    { entry: file(), key: "a.txt", tracked, remote: { ...remote, etag: "e2" } },
    "upload",
  ],
  ["untracked, object of the same size", { entry: file(), key: "a.txt", remote }, "adopt-or-upload"],
  ["untracked, object of another size", { entry: file(), key: "a.txt", remote: { ...remote, size: 3n } }, "upload"],
  ["further hard link", { entry: file({ nlink: 2n }), key: "b.txt", linkSourceKey: "a.txt" }, "copy-from-link"],
  [
    "further hard link already tracked and unchanged",
    { entry: file({ nlink: 2n }), key: "a.txt", tracked, remote, linkSourceKey: "x" },
    "skip-unchanged",
  ],
  ["symlink", { entry: { relPath: "l", kind: "symlink", stat: stat() }, key: "l" }, "skip-unsupported"],
  [
    "unreadable",
    { entry: { relPath: "d/", kind: "unknown", error: "cannot read directory: EACCES" }, key: "d/" },
    "error",
  ],
  ["key of 1,024 bytes", { entry: file(), key: "k".repeat(1024) }, "error"],
  ["key of 1,023 bytes", { entry: file(), key: "k".repeat(1023) }, "upload"],
  ["file over 5 TiB", { entry: file({ size: 5n * 1024n ** 4n + 1n }), key: "huge" }, "error"],
  ["file of exactly 5 TiB", { entry: file({ size: 5n * 1024n ** 4n }), key: "huge" }, "upload"],
];

describe("the transfer decision", () => {
  it.each(cases)("%s → %s", (_name, input, action) => {
    expect(decide(input).action).toBe(action);
  });

  it("names the reason for each skipped kind", () => {
    const reason = (entry: LocalEntry) => (decide({ entry, key: entry.relPath }) as { reason: string }).reason;
    expect(reason({ relPath: "p", kind: "fifo", stat: stat() })).toBe("fifo");
    expect(reason({ relPath: "s", kind: "socket", stat: stat() })).toBe("socket");
    expect(reason({ relPath: "c", kind: "char-device", stat: stat() })).toBe("device");
    expect(reason({ relPath: "b", kind: "block-device", stat: stat() })).toBe("device");
    expect(reason({ relPath: "h", kind: "fifo", stat: stat({ nlink: 2n }) })).toBe("hard-link-to-non-regular");
  });
});
