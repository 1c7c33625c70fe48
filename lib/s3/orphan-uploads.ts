import type { ObjectStore } from "./object-store";

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
export async function retryOrphanSweep(
  store: ObjectStore,
  bucket: string,
  key: string,
  ownUploadId: string,
  createTookMs: number,
): Promise<OrphanSweep> {
  const listed = await listUploadsOf(store, bucket, key).catch(() => undefined);
  const anchor = listed?.find((u) => u.uploadId === ownUploadId)?.initiated;
  if (anchor === undefined) return async () => [];
  const window = createTookMs + CLOCK_SLACK_MS;
  const handled = new Set([ownUploadId]);
  let known: typeof listed | undefined = listed;
  return async () => {
    const uploads = known ?? (await listUploadsOf(store, bucket, key).catch(() => []));
    known = undefined;
    const aborted: string[] = [];
    for (const upload of uploads) {
      if (handled.has(upload.uploadId) || Math.abs(upload.initiated - anchor) > window) continue;
      handled.add(upload.uploadId);
      try {
        await store.abortMultipartUpload({ bucket, key, uploadId: upload.uploadId });
        aborted.push(upload.uploadId);
      } catch {
        // Already gone: nothing more to do.
      }
    }
    return aborted;
  };
}

async function listUploadsOf(
  store: ObjectStore,
  bucket: string,
  key: string,
): Promise<{ uploadId: string; initiated: number }[]> {
  const found: { uploadId: string; initiated: number }[] = [];
  let next: { keyMarker?: string; uploadIdMarker?: string } | undefined = {};
  while (next) {
    const page = await store.listMultipartUploads({ bucket, prefix: key, ...next });
    for (const upload of page.uploads) {
      if (upload.key === key) found.push({ uploadId: upload.uploadId, initiated: upload.initiated.getTime() });
    }
    next = page.next;
  }
  return found;
}
