import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { md5Base64, resendIfDamaged, SHA256_METADATA_KEY } from "./checksums";
import { StoreClient } from "./client";
import { contentTypeFor } from "./content-type";
import { normaliseEtag } from "./etag";

export interface PutInput {
  client: S3Client;
  bucket: string;
  key: string;
  body: Buffer;
  sha256: Buffer;
  /** Also send x-amz-checksum-sha256, for stores that verify it (AWS); Content-MD5 is always sent. */
  sendSha256Checksum: boolean;
  signal?: AbortSignal;
}

export interface PutResult {
  etag: string;
  attempts: number;
}

/** One PUT whose body the store verifies against Content-MD5 (and SHA-256 where supported); sent again if it arrived damaged. */
export async function putObject({ client, bucket, key, body, sha256, sendSha256Checksum, signal }: PutInput): Promise<PutResult> {
  const lean = client instanceof StoreClient ? client.lean : undefined;
  if (lean) {
    const headers: Record<string, string> = {
      "content-md5": md5Base64(body),
      "content-type": contentTypeFor(key),
      [`x-amz-meta-${SHA256_METADATA_KEY}`]: sha256.toString("hex"),
    };
    if (sendSha256Checksum) headers["x-amz-checksum-sha256"] = sha256.toString("base64");
    const reply = await resendIfDamaged(() => lean.request({ method: "PUT", bucket, key, body, sha256Hex: sha256.toString("hex"), headers, signal }));
    return { etag: normaliseEtag(String(reply.headers.etag ?? "")), attempts: reply.attempts };
  }
  const reply = await resendIfDamaged(() =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: md5Base64(body),
        ChecksumSHA256: sendSha256Checksum ? sha256.toString("base64") : undefined,
        ContentType: contentTypeFor(key),
        Metadata: { [SHA256_METADATA_KEY]: sha256.toString("hex") },
      }),
      { abortSignal: signal },
    ),
  );
  return { etag: normaliseEtag(reply.ETag), attempts: reply.$metadata.attempts ?? 1 };
}
