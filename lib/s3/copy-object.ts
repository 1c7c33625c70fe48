import { CopyObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { SHA256_METADATA_KEY } from "./checksums";
import { contentTypeFor } from "./content-type";
import { normaliseEtag } from "./etag";

/** A single CopyObject can copy up to 5 GiB; larger sources are uploaded instead. */
export const MAX_SINGLE_COPY_BYTES = 5n * 1024n ** 3n;

export interface CopyInput {
  client: S3Client;
  bucket: string;
  sourceKey: string;
  key: string;
  sha256: Buffer;
  signal?: AbortSignal;
}

/** Server-side copy: the store duplicates the object, no data is sent. */
export async function copyObject({ client, bucket, sourceKey, key, sha256, signal }: CopyInput): Promise<{ etag: string }> {
  const reply = await client.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: key,
      CopySource: `${bucket}/${encodeURIComponent(sourceKey).replace(/%2F/g, "/")}`,
      // The copy gets its own Content-Type (its name may differ) and the same sha256.
      MetadataDirective: "REPLACE",
      ContentType: contentTypeFor(key),
      Metadata: { [SHA256_METADATA_KEY]: sha256.toString("hex") },
    }),
    { abortSignal: signal },
  );
  return { etag: normaliseEtag(reply.CopyObjectResult?.ETag) };
}

/** The sha256 metadata of an object, or undefined when it has none. */
export async function headSha256(client: S3Client, bucket: string, key: string, signal?: AbortSignal) {
  const reply = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  return { sha256: reply.Metadata?.[SHA256_METADATA_KEY], etag: normaliseEtag(reply.ETag), size: BigInt(reply.ContentLength ?? 0) };
}
