import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";

/** Initiation times are stored to the second by some stores. */
const CLOCK_SLACK_MS = 1_500;

export type OrphanSweep = () => Promise<string[]>;

/**
 * When the reply to a CreateMultipartUpload is lost after the store acted on it, the SDK's retry
 * creates a second upload and the first is known to no one. The sweep this returns finds such
 * uploads of `key` and aborts them, returning their ids. It takes only those initiated within the
 * time our Create took of our own upload's initiation, on the store's clock (a slow first attempt
 * can be initiated after the retry), so another writer's upload is left alone. Run it again once
 * the upload has ended: a first attempt still in the store's hands may only appear later.
 * On a store without ListMultipartUploads it does nothing (a lifecycle rule is then the net).
 */
export async function retryOrphanSweep(client: S3Client, bucket: string, key: string, ownUploadId: string, createTookMs: number): Promise<OrphanSweep> {
  const listed = await listUploadsOf(client, bucket, key).catch(() => undefined);
  const anchor = listed?.find((u) => u.uploadId === ownUploadId)?.initiated;
  if (anchor === undefined) return async () => [];
  const window = createTookMs + CLOCK_SLACK_MS;
  const handled = new Set([ownUploadId]);
  let known: typeof listed | undefined = listed;
  return async () => {
    const uploads = known ?? (await listUploadsOf(client, bucket, key).catch(() => []));
    known = undefined;
    const aborted: string[] = [];
    for (const upload of uploads) {
      if (handled.has(upload.uploadId) || Math.abs(upload.initiated - anchor) > window) continue;
      handled.add(upload.uploadId);
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.uploadId }));
        aborted.push(upload.uploadId);
      } catch {
        // Already gone: nothing more to do.
      }
    }
    return aborted;
  };
}

async function listUploadsOf(client: S3Client, bucket: string, key: string): Promise<{ uploadId: string; initiated: number }[]> {
  const found: { uploadId: string; initiated: number }[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === key && upload.UploadId && upload.Initiated) {
        found.push({ uploadId: upload.UploadId, initiated: upload.Initiated.getTime() });
      }
    }
    if (!page.IsTruncated) return found;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
