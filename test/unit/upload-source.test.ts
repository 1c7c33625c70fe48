import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PartBuffers } from "@/lib/engine/part-buffers";
import { HASH_CHUNK } from "@/lib/engine/read-file";
import { readUploadSource } from "@/lib/engine/upload-source";
import { TreeHandle } from "@/lib/fs/beneath";
import { ContentChangedError } from "@/lib/s3/multipart-upload";
import type { StreamedBody } from "@/lib/s3/object-store";

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

/** The streamed bytes, copied chunk by chunk (a chunk's buffer is reused for the next). */
async function bytesOf(body: StreamedBody): Promise<{ bytes: Buffer; chunks: number }> {
  const copies: Buffer[] = [];
  for await (const chunk of body.chunks()) copies.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(copies), chunks: copies.length };
}

describe("the source of a large file's upload", () => {
  // Part sizes below the hash chunk's multiple and on it; file sizes on and off a part boundary.
  it.each([
    [5 * MiB, 12 * MiB + 3],
    [5 * MiB, 15 * MiB],
    [5 * MiB + 512 * 1024, 11 * MiB + 1],
  ])(
    "with %i-byte parts, a %i-byte file has the digests of its content and streams each part's bytes",
    async (partSize, size) => {
      const { file, body } = fileOf(size);
      const buffers = new PartBuffers(2 * HASH_CHUNK);
      const source = await readUploadSource(
        { tree: TreeHandle.open(path.dirname(file)), relPath: path.basename(file) },
        options,
        buffers,
        partSize,
        new AbortController().signal,
      );

      expect(source.partSize).toBe(partSize);
      expect(source.sha256.toString("hex")).toBe(sha256(body));
      const count = Math.ceil(size / partSize);
      expect(source.partSha256).toHaveLength(count);
      for (let index = 0; index < count; index++) {
        const offset = index * partSize;
        const length = Math.min(partSize, size - offset);
        const expected = body.subarray(offset, offset + length);
        expect(source.partSha256[index]!.toString("hex")).toBe(sha256(expected));
        const { body: part, release } = await source.part(index, offset, length);
        expect(part.length).toBe(length);
        // Read twice, as a resend after a damaged arrival reads it.
        for (let read = 0; read < 2; read++) {
          const { bytes, chunks } = await bytesOf(part);
          expect(bytes.equals(expected)).toBe(true);
          expect(chunks).toBe(Math.ceil(length / HASH_CHUNK));
        }
        release();
      }
    },
  );

  it("holds one chunk buffer per part in flight, whatever the part size, and gives each back", async () => {
    const { file } = fileOf(12 * MiB);
    const buffers = new PartBuffers(2 * HASH_CHUNK);
    const source = await readUploadSource(
      { tree: TreeHandle.open(path.dirname(file)), relPath: path.basename(file) },
      options,
      buffers,
      5 * MiB,
      new AbortController().signal,
    );
    const first = await source.part(0, 0, 5 * MiB);
    const second = await source.part(1, 5 * MiB, 5 * MiB);
    // The pool is spent: a third part waits until one is given back.
    let third: Awaited<ReturnType<typeof source.part>> | undefined;
    const waiting = source.part(2, 10 * MiB, 2 * MiB).then((part) => (third = part));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBeUndefined();
    first.release();
    await waiting;
    expect(third).toBeDefined();
    second.release();
    third!.release();
  });

  it("ends a part's stream with a changed-content error (read again) when the file shrank since its first read", async () => {
    const { file } = fileOf(12 * MiB);
    const source = await readUploadSource(
      { tree: TreeHandle.open(path.dirname(file)), relPath: path.basename(file) },
      options,
      new PartBuffers(2 * HASH_CHUNK),
      5 * MiB,
      new AbortController().signal,
    );
    fs.truncateSync(file, 7 * MiB);
    const { body, release } = await source.part(1, 5 * MiB, 5 * MiB);
    const error = await bytesOf(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentChangedError);
    expect((error as Error).message).toBe("the file shrank while it was being uploaded");
    release();
  });
});
