import fs from "node:fs";
import { checkBodyDigests, refuseUnverifiableBody } from "../body-checks";
import { type RequestContext, queryValue } from "../context";
import { invalidArgument, S3Error } from "../errors";
import { receiveBody } from "../receive-body";

export async function uploadPart(context: RequestContext): Promise<void> {
  const { request, response, bucket, key, payloadHash } = context;
  const uploadId = queryValue(context, "uploadId") ?? "";
  if (request.headers["x-amz-copy-source"] !== undefined)
    throw new S3Error(501, "NotImplemented", "UploadPartCopy is not supported by this endpoint");
  const partNumber = Number(queryValue(context, "partNumber"));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
    throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive");
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
