import crypto from "node:crypto";
import { s3ErrorCode } from "./classify-error";

export const md5Base64 = (data: Uint8Array): string => crypto.createHash("md5").update(data).digest("base64");
export const sha256 = (data: Uint8Array): Buffer => crypto.createHash("sha256").update(data).digest();

/** The user-metadata key that carries the content's hex SHA-256 (x-amz-meta-sha256). */
export const SHA256_METADATA_KEY = "sha256";

/** Codes with which a store refuses a body whose digest did not match on arrival. */
const DAMAGED_ON_ARRIVAL = new Set(["BadDigest", "XAmzContentSHA256Mismatch"]);
const DAMAGE_ATTEMPTS = 3;

/**
 * Sends a body again when the store found it damaged on arrival (the SDK does not retry these:
 * to it they are client errors). `sourceChanged` is asked first when the signed digest came from
 * an earlier read than the bytes sent: an error it returns (the source changed since) is thrown
 * instead; otherwise the damage happened on the way and another try can succeed.
 */
export async function resendIfDamaged<T>(
  send: () => Promise<T>,
  sourceChanged?: () => Promise<Error | undefined>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!DAMAGED_ON_ARRIVAL.has(s3ErrorCode(error) ?? "")) throw error;
      const changed = await sourceChanged?.();
      if (changed) throw changed;
      if (attempt >= DAMAGE_ATTEMPTS) throw error;
    }
  }
}
