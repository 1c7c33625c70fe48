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
 * Sends a body again when the store found it damaged on arrival: the digest was computed from
 * the bytes still in memory, so the damage happened on the way and another try can succeed. (The
 * SDK does not retry these: to it they are client errors.)
 */
export async function resendIfDamaged<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= DAMAGE_ATTEMPTS || !DAMAGED_ON_ARRIVAL.has(s3ErrorCode(error) ?? "")) throw error;
    }
  }
}
