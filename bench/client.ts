import { createS3Client } from "@/lib/s3/client";

/** The client a benchmark job uses against a store on loopback (path style, plain HTTP); keys from BENCH_S3_KEY / BENCH_S3_SECRET, s3rver's by default. */
export function benchClient(endpoint: string, concurrency: number) {
  const url = new URL(endpoint);
  // A benchmark's store listens on loopback, which object stores may reach only when allowed.
  process.env.SHIFT_ALLOWED_ENDPOINTS ??= url.host;
  return createS3Client(
    {
      objectStoreAddress: `${url.protocol}//${url.hostname}`,
      port: Number(url.port),
      allowPlainHttp: true,
      region: "us-east-1",
      bucketStyle: "BUCKET_STYLE_PATH",
      caCertificate: null,
      accessKeyId: process.env.BENCH_S3_KEY ?? "S3RVER",
      secretAccessKey: process.env.BENCH_S3_SECRET ?? "S3RVER",
    },
    { maxSockets: concurrency },
  );
}
