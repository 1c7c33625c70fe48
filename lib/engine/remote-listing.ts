import type { S3Client } from "@aws-sdk/client-s3";
import { listObjectsPage, type ListedObject, type ListPage } from "@/lib/s3/list-objects";
import { normaliseEtag } from "@/lib/s3/etag";

export interface RemoteObject {
  /** Key with the relationship's folder removed. */
  relPath: string;
  size: bigint;
  etag: string;
  storageClass?: string;
  lastModified?: Date;
}

/** Every object under the folder in key order; the next page is requested while this one is consumed. */
export async function* listRemote(
  client: S3Client,
  bucket: string,
  folder: string,
  signal?: AbortSignal,
): AsyncGenerator<RemoteObject> {
  const fetchPage = (token?: string): Promise<ListPage> => listObjectsPage(client, bucket, folder, token, signal);
  let next: Promise<ListPage> | undefined = fetchPage();
  while (next) {
    const page: ListPage = await next;
    next = page.nextToken ? fetchPage(page.nextToken) : undefined;
    // Keep a rejected prefetch from surfacing as an unhandled rejection if we stop early.
    next?.catch(() => undefined);
    for (const object of page.objects) yield toRemote(object, folder);
  }
}

function toRemote(object: ListedObject, folder: string): RemoteObject {
  return {
    relPath: object.key.slice(folder.length),
    size: object.size,
    etag: normaliseEtag(object.etag),
    storageClass: object.storageClass,
    lastModified: object.lastModified,
  };
}
