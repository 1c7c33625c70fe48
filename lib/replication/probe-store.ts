import type { S3Client } from "@aws-sdk/client-s3";
import { validationError } from "@/lib/errors";
import { createS3Client, type S3Settings } from "@/lib/s3/client";
import { plainHttpRefusal } from "@/lib/s3/endpoint";
import { probeBucket } from "@/lib/s3/probe-bucket";
import type { Direction } from "./relationship-input";

/**
 * The store checks a copy's settings pass before they are saved, at creation and when its
 * credentials change: the endpoint rules, then the bucket probe (TLS, credentials, the bucket,
 * Object Lock for copies into S3). `then` may ask more of the same client before it is closed.
 */
export async function probeStore<T = void>(
  settings: S3Settings,
  target: { bucket: string; objectFolder: string; direction: Direction },
  then?: (client: S3Client) => Promise<T>,
): Promise<T | undefined> {
  const refusal = plainHttpRefusal(settings);
  if (refusal) throw validationError("object_store_address", refusal);
  const client = createS3Client(settings, { maxAttempts: 2, connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 });
  try {
    await probeBucket({
      client,
      bucket: target.bucket,
      objectFolder: target.objectFolder,
      checkObjectLock: target.direction === "COPY_TO_OBJECT",
    });
    return await then?.(client);
  } finally {
    client.destroy();
  }
}
