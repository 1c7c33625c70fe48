import crypto from "node:crypto";
import { S3Error } from "../errors";
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
  // Signed like any other body: the list of parts must be the one the client signed.
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== crypto.createHash("sha256").update(text).digest("hex")) {
    throw new S3Error(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const parts = parseCompleteMultipartUpload(text.toString("utf8"));
  const object = await bucket.uploads.complete(upload, parts);
  sendXml(
    response,
    200,
    toXml("CompleteMultipartUploadResult", {
      Location: `/${bucket.store.name}/${encodeURIComponent(key)}`,
      Bucket: bucket.store.name,
      Key: key,
      ETag: `"${object.etag}"`,
    }),
  );
}
