import { z } from "zod";
import type { PendingUpload } from "@/lib/engine/tracking-store";

/**
 * A multipart upload's record as `TrackingUpload.record` holds it: JSON, numbers that may pass
 * 2^53 as decimal strings, digests as hex. A record that does not read whole is refused: the
 * upload is then begun again rather than resumed from a guess.
 */
const RECORD = z.object({
  uploadId: z.string().min(1),
  size: z.string().regex(/^\d+$/),
  mtimeNs: z.string().regex(/^-?\d+$/),
  ctimeNs: z.string().regex(/^-?\d+$/),
  ino: z.string().regex(/^\d+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  partSize: z.number().int().positive(),
  parts: z.array(z.tuple([z.number().int().positive(), z.string()])),
});

export function encodeUpload(upload: PendingUpload): string {
  return JSON.stringify({
    uploadId: upload.uploadId,
    size: upload.size.toString(),
    mtimeNs: upload.mtimeNs.toString(),
    ctimeNs: upload.ctimeNs.toString(),
    ino: upload.ino.toString(),
    sha256: upload.sha256.toString("hex"),
    partSize: upload.partSize,
    parts: [...upload.parts].sort(([a], [b]) => a - b),
  } satisfies z.infer<typeof RECORD>);
}

export function decodeUpload(record: string): PendingUpload | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    return undefined;
  }
  const result = RECORD.safeParse(parsed);
  if (!result.success) return undefined;
  const r = result.data;
  return {
    uploadId: r.uploadId,
    size: BigInt(r.size),
    mtimeNs: BigInt(r.mtimeNs),
    ctimeNs: BigInt(r.ctimeNs),
    ino: BigInt(r.ino),
    sha256: Buffer.from(r.sha256, "hex"),
    partSize: r.partSize,
    parts: new Map(r.parts),
  };
}
