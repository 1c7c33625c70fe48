import { createObjectStore } from "@/lib/s3/client";

/** The store a benchmark job uses on loopback (path style, plain HTTP); keys from BENCH_S3_KEY / BENCH_S3_SECRET, s3rver's by default. */
export function benchStore(endpoint: string, concurrency: number) {
  const url = new URL(endpoint);
  // A benchmark's store listens on loopback, which object stores may reach only when allowed.
  process.env.SHIFT_ALLOWED_ENDPOINTS ??= url.host;
  return createObjectStore(
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

/** The SDK's client over the same connection settings, for the reference figures. */
export function benchClient(endpoint: string, concurrency: number) {
  return benchStore(endpoint, concurrency).sdk;
}
