import { refuseUnverifiableBody } from "../body-checks";
import { type RequestContext, queryValue, sendXml } from "../context";
import { receiveSmallBody } from "../receive-body";
import { parseCompleteMultipartUpload, toXml } from "../xml";

/** 10,000 parts listed with long ETags and checksums stay far below this. */
const MAX_COMPLETE_XML_BYTES = 2 * 1024 * 1024;

export async function completeMultipartUpload(context: RequestContext): Promise<void> {
  const { request, response, bucket, key, payloadHash } = context;
  const upload = bucket.uploads.get(queryValue(context, "uploadId") ?? "", key);
  refuseUnverifiableBody(request, payloadHash);
  const text = await receiveSmallBody(request, MAX_COMPLETE_XML_BYTES);
  const parts = parseCompleteMultipartUpload(text.toString("utf8"));
  const object = await bucket.uploads.complete(upload, parts);
  sendXml(response, 200, toXml("CompleteMultipartUploadResult", { Location: `/${bucket.store.name}/${encodeURIComponent(key)}`, Bucket: bucket.store.name, Key: key, ETag: `"${object.etag}"` }));
}
