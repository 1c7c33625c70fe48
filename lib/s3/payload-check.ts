import { sha256 } from "./checksums";
import { s3ErrorCode } from "./classify-error";
import type { LeanS3 } from "./lean-s3";

/** The answers of stores that compare a body with its signed SHA-256 and refuse a mismatch. */
const REFUSED_AS_MISMATCH = new Set(["XAmzContentSHA256Mismatch", "BadDigest"]);

/** Per client, the answer, or the question in flight (concurrent uploads share it). */
const answers = new WeakMap<LeanS3, Promise<boolean | undefined>>();

/**
 * Whether the store refuses a body whose signed SHA-256 is wrong (AWS, Ceph RGW and MinIO do;
 * some test servers ignore it). Asked once per client, inside an upload the caller owns: one small
 * body is sent as part `spareNumber` with a wrong digest. A store that verifies refuses it; one
 * that accepts it keeps a part that completion leaves out, so it never reaches an object. Any
 * other outcome (a fault on the way) is no answer: false for now, and asked again next time.
 */
export async function verifiesSignedPayload(
  lean: LeanS3,
  upload: { bucket: string; key: string; uploadId: string; spareNumber: number | undefined; signal?: AbortSignal },
): Promise<boolean> {
  let answer = answers.get(lean);
  if (!answer) {
    if (upload.spareNumber === undefined) return false;
    answer = ask(lean, { ...upload, spareNumber: upload.spareNumber });
    answers.set(lean, answer);
  }
  const verifies = await answer;
  if (verifies === undefined && answers.get(lean) === answer) answers.delete(lean);
  return verifies ?? false;
}

async function ask(
  lean: LeanS3,
  upload: { bucket: string; key: string; uploadId: string; spareNumber: number; signal?: AbortSignal },
): Promise<boolean | undefined> {
  try {
    await lean.request({
      method: "PUT",
      bucket: upload.bucket,
      key: upload.key,
      query: { partNumber: String(upload.spareNumber), uploadId: upload.uploadId },
      body: Buffer.from("s3shift payload check"),
      sha256Hex: sha256(Buffer.from("not the body")).toString("hex"),
      signal: upload.signal,
    });
    return false;
  } catch (error) {
    return REFUSED_AS_MISMATCH.has(s3ErrorCode(error) ?? "") ? true : undefined;
  }
}
