import fs from "node:fs";
import { checkBodyDigests, contentTypeOf, refuseUnverifiableBody, userMetadata } from "./body-checks";
import { compareKeys } from "./bucket-store";
import { type RequestContext, queryValue, sendXml } from "./context";
import { invalidArgument, S3Error } from "./errors";
import { receiveBody, receiveSmallBody } from "./receive-body";
import { parseCompleteMultipartUpload, toXml } from "./xml";

/** 10,000 parts listed with long ETags and checksums stay far below this. */
const MAX_COMPLETE_XML_BYTES = 2 * 1024 * 1024;

export async function createMultipartUpload({ request, response, bucket, key }: RequestContext): Promise<void> {
  const upload = bucket.uploads.create(key, contentTypeOf(request), userMetadata(request));
  sendXml(response, 200, toXml("InitiateMultipartUploadResult", { Bucket: bucket.store.name, Key: key, UploadId: upload.uploadId }));
}

export async function uploadPart(context: RequestContext, uploadId: string): Promise<void> {
  const { request, response, bucket, key, payloadHash } = context;
  if (request.headers["x-amz-copy-source"] !== undefined) throw new S3Error(501, "NotImplemented", "UploadPartCopy is not supported by this endpoint");
  const partNumber = Number(queryValue(context, "partNumber"));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive");
  const upload = bucket.uploads.get(uploadId, key);
  refuseUnverifiableBody(request, payloadHash);
  const file = bucket.store.newTempFile();
  const body = await receiveBody(request, file);
  try {
    checkBodyDigests(request, payloadHash, body);
    bucket.uploads.savePart(upload, partNumber, file, { size: body.size, etag: body.md5.toString("hex") });
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw error;
  }
  response.setHeader("ETag", `"${body.md5.toString("hex")}"`);
  response.end();
}

export async function completeMultipartUpload(context: RequestContext, uploadId: string): Promise<void> {
  const { request, response, bucket, key, payloadHash } = context;
  const upload = bucket.uploads.get(uploadId, key);
  refuseUnverifiableBody(request, payloadHash);
  const text = await receiveSmallBody(request, MAX_COMPLETE_XML_BYTES);
  const parts = parseCompleteMultipartUpload(text.toString("utf8"));
  const object = await bucket.uploads.complete(upload, parts);
  sendXml(response, 200, toXml("CompleteMultipartUploadResult", { Location: `/${bucket.store.name}/${encodeURIComponent(key)}`, Bucket: bucket.store.name, Key: key, ETag: `"${object.etag}"` }));
}

export async function abortMultipartUpload({ response, bucket, key }: RequestContext, uploadId: string): Promise<void> {
  bucket.uploads.abort(bucket.uploads.get(uploadId, key));
  response.statusCode = 204;
  response.end();
}

export async function listMultipartUploads(context: RequestContext): Promise<void> {
  const { response, bucket } = context;
  const prefix = queryValue(context, "prefix") ?? "";
  const keyMarker = queryValue(context, "key-marker");
  const uploadIdMarker = queryValue(context, "upload-id-marker") ?? "";
  const maxUploads = Math.min(1000, Math.max(0, Number(queryValue(context, "max-uploads") ?? 1000) || 0));
  const all = bucket.uploads
    .list()
    .filter((u) => u.key.startsWith(prefix))
    .filter((u) => keyMarker === undefined || compareKeys(u.key, keyMarker) > 0 || (u.key === keyMarker && u.uploadId > uploadIdMarker && uploadIdMarker !== ""))
    .sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : 1));
  const page = all.slice(0, maxUploads);
  const truncated = all.length > page.length;
  const last = page[page.length - 1];
  sendXml(
    response,
    200,
    toXml("ListMultipartUploadsResult", {
      Bucket: bucket.store.name,
      KeyMarker: keyMarker ?? "",
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: truncated ? last?.key : undefined,
      NextUploadIdMarker: truncated ? last?.uploadId : undefined,
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: truncated,
      Upload: page.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: u.initiated, StorageClass: "STANDARD" })),
    }),
  );
}
