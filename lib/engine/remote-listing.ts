import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client, type _Object } from "@aws-sdk/client-s3";
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
  const fetchPage = (token?: string): Promise<ListObjectsV2CommandOutput> =>
    client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token, MaxKeys: 1000 }), {
      abortSignal: signal,
    });
  let next: Promise<ListObjectsV2CommandOutput> | undefined = fetchPage();
  while (next) {
    const page: ListObjectsV2CommandOutput = await next;
    next = page.IsTruncated && page.NextContinuationToken ? fetchPage(page.NextContinuationToken) : undefined;
    // Keep a rejected prefetch from surfacing as an unhandled rejection if we stop early.
    next?.catch(() => undefined);
    for (const object of page.Contents ?? []) yield toRemote(object, folder);
  }
}

function toRemote(object: _Object, folder: string): RemoteObject {
  return {
    relPath: (object.Key ?? "").slice(folder.length),
    size: BigInt(object.Size ?? 0),
    etag: normaliseEtag(object.ETag),
    storageClass: object.StorageClass,
    lastModified: object.LastModified,
  };
}
