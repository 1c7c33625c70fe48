import { contentTypeFor } from "./content-type";
import type { ObjectStore } from "./object-store";

/** A single CopyObject can copy up to 5 GiB; larger sources are uploaded instead. */
export const MAX_SINGLE_COPY_BYTES = 5n * 1024n ** 3n;

export interface CopyInput {
  store: ObjectStore;
  bucket: string;
  sourceKey: string;
  key: string;
  sha256: Buffer;
  signal?: AbortSignal;
}

/** Server-side copy: the store duplicates the object, no data is sent. The copy gets its own Content-Type (its name may differ) and the same sha256. */
export async function copyObject({ store, ...request }: CopyInput): Promise<{ etag: string }> {
  return store.copyObject({ ...request, contentType: contentTypeFor(request.key) });
}
