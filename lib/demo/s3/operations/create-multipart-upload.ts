import { contentTypeOf, userMetadata } from "../body-checks";
import { type RequestContext, sendXml } from "../context";
import { toXml } from "../xml";

export async function createMultipartUpload({ request, response, bucket, key }: RequestContext): Promise<void> {
  const upload = bucket.uploads.create(key, contentTypeOf(request), userMetadata(request));
  sendXml(
    response,
    200,
    toXml("InitiateMultipartUploadResult", { Bucket: bucket.store.name, Key: key, UploadId: upload.uploadId }),
  );
}
