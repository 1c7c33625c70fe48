import { createObjectStore, createS3Client, type S3Settings } from "@/lib/s3/client";

/** A store on loopback (path style, plain HTTP); keys from BENCH_S3_KEY / BENCH_S3_SECRET, s3rver's by default. */
function benchSettings(endpoint: string): S3Settings {
  const url = new URL(endpoint);
  // A benchmark's store listens on loopback, which object stores may reach only when allowed.
  process.env.SHIFT_ALLOWED_ENDPOINTS ??= url.host;
  return {
    objectStoreAddress: `${url.protocol}//${url.hostname}`,
    port: Number(url.port),
    allowPlainHttp: true,
    region: "us-east-1",
    bucketStyle: "BUCKET_STYLE_PATH",
    caCertificate: null,
    accessKeyId: process.env.BENCH_S3_KEY ?? "S3RVER",
    secretAccessKey: process.env.BENCH_S3_SECRET ?? "S3RVER",
  };
}

/** The store a benchmark job copies to or from. */
export function benchStore(endpoint: string, concurrency: number) {
  return createObjectStore(benchSettings(endpoint), { maxSockets: concurrency });
}

/** The SDK's client alone, for the reference figures. */
export function benchClient(endpoint: string, concurrency: number) {
  return createS3Client(benchSettings(endpoint), { maxSockets: concurrency });
}
