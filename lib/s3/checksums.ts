import crypto from "node:crypto";

export const md5Base64 = (data: Uint8Array): string => crypto.createHash("md5").update(data).digest("base64");
export const sha256 = (data: Uint8Array): Buffer => crypto.createHash("sha256").update(data).digest();

/** The user-metadata key that carries the content's hex SHA-256 (x-amz-meta-sha256). */
export const SHA256_METADATA_KEY = "sha256";
