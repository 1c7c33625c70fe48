import { resendIfDamaged } from "./checksums";
import { contentTypeFor } from "./content-type";
import type { ObjectStore } from "./object-store";

export interface PutInput {
  store: ObjectStore;
  bucket: string;
  key: string;
  body: Buffer;
  sha256: Buffer;
  /** Also send x-amz-checksum-sha256, for stores that verify it (AWS); Content-MD5 is always sent. */
  sendSha256Checksum: boolean;
  signal?: AbortSignal;
}

/** One PUT whose body the store verifies against Content-MD5 (and SHA-256 where supported); sent again if it arrived damaged. */
export async function putObject({ store, ...request }: PutInput): Promise<{ etag: string; attempts: number }> {
  return resendIfDamaged(() => store.putObject({ ...request, contentType: contentTypeFor(request.key) }));
}
