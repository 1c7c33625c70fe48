import { sha256 } from "./checksums";
import { s3ErrorCode } from "./classify-error";
import { bufferBody, type ObjectStore } from "./object-store";

/** The answers of stores that compare a body with its signed SHA-256 and refuse a mismatch. */
const REFUSED_AS_MISMATCH = new Set(["XAmzContentSHA256Mismatch", "BadDigest"]);

/** Per store, the answer, or the question in flight (concurrent uploads share it). */
const answers = new WeakMap<ObjectStore, Promise<boolean | undefined>>();

/**
 * Whether the store refuses a body whose signed SHA-256 is wrong (AWS, Ceph RGW and MinIO do;
 * some test servers ignore it). Asked once per store, inside an upload the caller owns: one small
 * body is sent as part `spareNumber` with a wrong digest. A store that verifies refuses it; one
 * that accepts it keeps a part that completion leaves out, so it never reaches an object. Any
 * other outcome (a fault on the way) is no answer: false for now, and asked again next time.
 */
export async function verifiesSignedPayload(
  store: ObjectStore,
  upload: { bucket: string; key: string; uploadId: string; spareNumber: number | undefined; signal?: AbortSignal },
): Promise<boolean> {
  let answer = answers.get(store);
  if (!answer) {
    if (upload.spareNumber === undefined) return false;
    answer = ask(store, { ...upload, spareNumber: upload.spareNumber });
    answers.set(store, answer);
  }
  const verifies = await answer;
  if (verifies === undefined && answers.get(store) === answer) answers.delete(store);
  return verifies ?? false;
}

async function ask(
  store: ObjectStore,
  upload: { bucket: string; key: string; uploadId: string; spareNumber: number; signal?: AbortSignal },
): Promise<boolean | undefined> {
  try {
    await store.uploadPart({
      bucket: upload.bucket,
      key: upload.key,
      uploadId: upload.uploadId,
      partNumber: upload.spareNumber,
      body: bufferBody(Buffer.from("s3shift payload check")),
      sha256: sha256(Buffer.from("not the body")),
      signal: upload.signal,
    });
    return false;
  } catch (error) {
    return REFUSED_AS_MISMATCH.has(s3ErrorCode(error) ?? "") ? true : undefined;
  }
}
