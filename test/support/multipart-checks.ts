import crypto from "node:crypto";
import { multipartUpload } from "@/lib/s3/multipart-upload";
import { bufferBody } from "@/lib/s3/object-store";
import { engineStore } from "./engine-harness";

const MiB = 1024 * 1024;

/**
 * Uploads three 5 MiB parts whose digests come from a first read, but sends other bytes as part
 * 2, as a file rewritten between its two reads (with its stat restored) would: what is thrown.
 */
export async function uploadWithSwappedPart(endpoint: string, bucket: string, key: string): Promise<unknown> {
  const partSize = 5 * MiB;
  const first = [0, 1, 2].map(() => crypto.randomBytes(partSize));
  const digest = (b: Buffer) => crypto.createHash("sha256").update(b).digest();
  const store = engineStore(endpoint);
  try {
    await multipartUpload({
      store,
      bucket,
      key,
      size: BigInt(3 * partSize),
      sha256: digest(Buffer.concat(first)),
      partSha256: first.map(digest),
      partSize,
      // Read again (to send it, or to see why the store refused it), part 2 is never what was digested.
      part: async (index) => ({
        body:
          index === 1
            ? {
                length: partSize,
                chunks: async function* () {
                  yield crypto.randomBytes(partSize);
                },
              }
            : bufferBody(first[index]!),
        release: () => {},
      }),
      parallelParts: 1,
      onPartSent: () => {},
      beforeComplete: async () => {},
    });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    store.destroy();
  }
}
