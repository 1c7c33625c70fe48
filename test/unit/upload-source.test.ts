import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PartBuffers } from "@/lib/engine/part-buffers";
import { readUploadSource } from "@/lib/engine/upload-source";

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const options = { stableRead: true, attempts: 3 };

function fileOf(size: number): { file: string; body: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-source-"));
  const body = crypto.randomBytes(size);
  const file = path.join(dir, "big.bin");
  fs.writeFileSync(file, body);
  return { file, body };
}

describe("the source of a large file's upload", () => {
  // Part sizes below the hash chunk, equal to it, and not a multiple of it; file sizes on and off a part boundary.
  it.each([
    [5 * MiB, 12 * MiB + 3, true],
    [5 * MiB, 15 * MiB, false],
    [5 * MiB + 512 * 1024, 11 * MiB + 1, true],
    [5 * MiB + 512 * 1024, 11 * MiB + 1, false],
  ])("with %i-byte parts, a %i-byte file (held in memory: %s) has the digests and part bytes of its content", async (partSize, size, held) => {
    const { file, body } = fileOf(size);
    const buffers = new PartBuffers(64 * MiB);
    const source = await readUploadSource(file, options, buffers, { minPartSize: partSize, holdInMemoryBytes: held ? 64 * MiB : 0 }, new AbortController().signal);
    try {
      expect(source.partSize).toBe(partSize);
      expect(source.sha256.toString("hex")).toBe(sha256(body));
      expect(source.partDigests.ofSentBytes).toBe(held);
      const count = Math.ceil(size / source.partSize);
      expect(source.partDigests.sha256).toHaveLength(count);
      for (let index = 0; index < count; index++) {
        const offset = index * source.partSize;
        const length = Math.min(source.partSize, size - offset);
        const expected = body.subarray(offset, offset + length);
        expect(source.partDigests.sha256[index]!.toString("hex")).toBe(sha256(expected));
        const { body: part, release } = await source.part(index, offset, length);
        expect(part.equals(expected)).toBe(true);
        release();
      }
    } finally {
      source.release();
    }
  });

  it("gives back every buffer it held, sent or not", async () => {
    const { file } = fileOf(12 * MiB);
    const buffers = new PartBuffers(15 * MiB);
    const source = await readUploadSource(file, options, buffers, { minPartSize: 5 * MiB, holdInMemoryBytes: 64 * MiB }, new AbortController().signal);
    (await source.part(0, 0, 5 * MiB)).release();
    source.release();
    // The whole capacity is free again: a batch of all of it is served at once.
    const all = await buffers.takeMany(5 * MiB, 3);
    expect(all).toHaveLength(3);
  });
});
