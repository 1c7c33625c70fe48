import { compareKeys } from "../bucket-store";
import { type RequestContext, queryValue, sendXml } from "../context";
import { toXml } from "../xml";

export async function listMultipartUploads(context: RequestContext): Promise<void> {
  const { response, bucket } = context;
  const prefix = queryValue(context, "prefix") ?? "";
  const keyMarker = queryValue(context, "key-marker");
  const uploadIdMarker = queryValue(context, "upload-id-marker") ?? "";
  const maxUploads = Math.min(1000, Math.max(0, Number(queryValue(context, "max-uploads") ?? 1000) || 0));
  const all = bucket.uploads
    .list()
    .filter((u) => u.key.startsWith(prefix))
    .filter(
      (u) =>
        keyMarker === undefined ||
        compareKeys(u.key, keyMarker) > 0 ||
        (u.key === keyMarker && u.uploadId > uploadIdMarker && uploadIdMarker !== ""),
    )
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
