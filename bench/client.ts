import { createS3Client } from "@/lib/s3/client";

/** The client a benchmark job uses against the local s3rver (its fixed keys, path style, plain HTTP). */
export function benchClient(endpoint: string, concurrency: number) {
  const url = new URL(endpoint);
  return createS3Client(
    {
      objectStoreAddress: `${url.protocol}//${url.hostname}`,
      port: Number(url.port),
      allowPlainHttp: true,
      region: "us-east-1",
      bucketStyle: "BUCKET_STYLE_PATH",
      caCertificate: null,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    },
    { maxSockets: concurrency },
  );
}
