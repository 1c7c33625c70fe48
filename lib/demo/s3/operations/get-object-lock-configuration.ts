import { S3Error } from "../errors";

/** Object Lock is never configured here; the engine asks only to learn that. */
export async function getObjectLockConfiguration(): Promise<void> {
  throw new S3Error(
    404,
    "ObjectLockConfigurationNotFoundError",
    "Object Lock configuration does not exist for this bucket",
  );
}
