import fs from "node:fs";
import { checkBodyDigests, contentTypeOf, refuseUnverifiableBody, userMetadata } from "../body-checks";
import type { RequestContext } from "../context";
import { receiveBody } from "../receive-body";

export async function putObject(context: RequestContext): Promise<void> {
  const { request, response, bucket, key, payloadHash } = context;
  refuseUnverifiableBody(request, payloadHash);
  const metadata = userMetadata(request);
  const file = bucket.store.newTempFile();
  const body = await receiveBody(request, file);
  try {
    checkBodyDigests(request, payloadHash, body);
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw error;
  }
  const record = bucket.store.commit(file, {
    key,
    size: body.size,
    etag: body.md5.toString("hex"),
    contentType: contentTypeOf(request),
    metadata,
    lastModified: new Date().toISOString(),
  });
  response.setHeader("ETag", `"${record.etag}"`);
  response.end();
}
