import type { BigIntStats } from "node:fs";
import { choosePartSize, ContentChangedError, type MultipartInput } from "@/lib/s3/multipart-upload";
import type { StreamedBody } from "@/lib/s3/object-store";
import type { PartBuffers } from "./part-buffers";
import { hashWholeAndParts, HASH_CHUNK, readConsistently, type LocalFile, type StableReadOptions } from "./read-file";

const REPLACED = "the file was replaced while it was being uploaded";
const SHRANK = "the file shrank while it was being uploaded";

/** One consistent read of a large file, digested for its upload, and how to stream each part. */
export interface UploadSource {
  stat: BigIntStats;
  sha256: Buffer;
  partSize: number;
  partSha256: Buffer[];
  part: MultipartInput["part"];
}

/**
 * Reads the file once for its digests: whole, for the metadata fixed when the upload is created,
 * and per part, for each part's signature. The parts are then read again as they are sent, a
 * chunk at a time through one pooled buffer each, so a job holds a few MiB however large its
 * files: the part buffers it held before cost more CPU in page faults than the second read from
 * the page cache costs. The store's check of each part against its signed digest (or a hash on
 * the way, where the store checks none) proves the second read is the first's content.
 */
export async function readUploadSource(
  file: LocalFile,
  options: StableReadOptions,
  buffers: PartBuffers,
  minPartSize: number,
  signal: AbortSignal,
): Promise<UploadSource> {
  const scratch = await buffers.take(HASH_CHUNK);
  try {
    const { value, stat } = await readConsistently(file, options, async (handle, s) => {
      const partSize = choosePartSize(s.size, minPartSize);
      return { partSize, ...(await hashWholeAndParts(handle, s, partSize, scratch.buffer, signal)) };
    });
    return {
      stat,
      sha256: value.whole,
      partSize: value.partSize,
      partSha256: value.parts,
      part: async (_index, offset, length) => {
        const chunk = await buffers.take(HASH_CHUNK);
        return { body: streamRange(file, stat, offset, length, chunk.buffer), release: chunk.release };
      },
    };
  } finally {
    scratch.release();
  }
}

/**
 * `length` bytes of the file from `offset` on, read into `buffer` a chunk at a time. The file is
 * opened again for each attempt, below the root, and must be the very file that was digested.
 */
export function streamRange(
  file: LocalFile,
  digested: BigIntStats,
  offset: number,
  length: number,
  buffer: Buffer,
): StreamedBody {
  return {
    length,
    chunks: async function* () {
      const handle = await file.tree.open(file.relPath);
      try {
        const opened = await handle.stat({ bigint: true });
        if (opened.dev !== digested.dev || opened.ino !== digested.ino) throw new ContentChangedError(REPLACED);
        for (let done = 0; done < length;) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, length - done), offset + done);
          // A file that shrank since its first read: the upload ends as a changed file.
          if (bytesRead === 0) throw new ContentChangedError(SHRANK);
          done += bytesRead;
          yield buffer.subarray(0, bytesRead);
        }
      } finally {
        await handle.close();
      }
    },
  };
}
