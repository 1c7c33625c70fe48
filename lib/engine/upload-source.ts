import type { BigIntStats } from "node:fs";
import { choosePartSize, partCount, type MultipartInput } from "@/lib/s3/multipart-upload";
import type { PartBuffer, PartBuffers } from "./part-buffers";
import { hashWholeAndParts, readConsistently, readRange, type StableReadOptions } from "./read-file";

/** One consistent read of a large file, digested for its upload, and how to get each part's bytes. */
export interface UploadSource {
  stat: BigIntStats;
  sha256: Buffer;
  partSize: number;
  partDigests: NonNullable<MultipartInput["partDigests"]>;
  part: MultipartInput["part"];
  /** Gives back every part buffer still held. */
  release: () => void;
}

export interface SourceSettings {
  minPartSize: number;
  /** Files up to this size are read once, into part buffers, and sent from memory. */
  holdInMemoryBytes: number;
}

/**
 * Reads the file once for its digests (whole, for the metadata fixed at creation, and per part,
 * for each part's signature). A file that fits the hold limit keeps its bytes in part buffers
 * from that read and is sent from them: one read from disk instead of two, and the digests are of
 * the very bytes sent. A larger one is read again part by part as the parts go.
 */
export async function readUploadSource(
  file: string,
  options: StableReadOptions,
  buffers: PartBuffers,
  settings: SourceSettings,
  signal: AbortSignal,
): Promise<UploadSource> {
  let held: PartBuffer[] = [];
  const releaseHeld = () => held.forEach((b) => b.release());
  try {
    const { value, stat } = await readConsistently(file, options, async (handle, s) => {
      const partSize = choosePartSize(s.size, settings.minPartSize);
      releaseHeld(); // an earlier attempt's, when the file changed during it
      held = s.size <= BigInt(settings.holdInMemoryBytes) ? await buffers.takeMany(partSize, partCount(s.size, partSize)) : [];
      const keepIn = held.length > 0 ? held.map((b) => b.buffer) : undefined;
      return { partSize, ...(await hashWholeAndParts(handle, s, partSize, signal, keepIn)) };
    });
    const inMemory = held;
    const part: UploadSource["part"] =
      inMemory.length > 0
        ? async (index, _offset, length) => ({ body: inMemory[index]!.buffer.subarray(0, length), release: inMemory[index]!.release })
        : async (_index, offset, length) => {
            // Every part takes a whole part-sized buffer, so that the last, shorter one reuses one too.
            const { buffer, release } = await buffers.take(value.partSize);
            try {
              return { body: await readRange(file, offset, buffer.subarray(0, length)), release };
            } catch (error) {
              release();
              throw error;
            }
          };
    return {
      stat,
      sha256: value.whole,
      partSize: value.partSize,
      partDigests: { sha256: value.parts, ofSentBytes: inMemory.length > 0 },
      part,
      release: releaseHeld,
    };
  } catch (error) {
    releaseHeld();
    throw error;
  }
}
