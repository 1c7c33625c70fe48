import { type RequestContext, queryValue } from "../context";

export async function abortMultipartUpload(context: RequestContext): Promise<void> {
  const { response, bucket, key } = context;
  bucket.uploads.abort(bucket.uploads.get(queryValue(context, "uploadId") ?? "", key));
  response.statusCode = 204;
  response.end();
}
