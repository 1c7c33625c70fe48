import type { RequestContext } from "../context";

export async function deleteObject({ response, bucket, key }: RequestContext): Promise<void> {
  bucket.store.delete(key);
  response.statusCode = 204;
  response.end();
}
