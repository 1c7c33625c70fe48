import fs from "node:fs";
import { contentTypeOf, userMetadata } from "../body-checks";
import { header, type RequestContext, sendXml } from "../context";
import { invalidArgument, noSuchBucket, noSuchKey, notImplemented, S3Error } from "../errors";
import { etagMatches, preconditionFailed } from "../etag-match";
import { toXml } from "../xml";

/** CopyObject within this endpoint, keeping (COPY) or replacing (REPLACE) the metadata. */
export async function copyObject(context: RequestContext): Promise<void> {
  const { request, response, bucket, key, buckets } = context;
  const copySource = header(request, "x-amz-copy-source") ?? "";
  const [sourcePath, sourceQuery] = copySource.replace(/^\//, "").split("?", 2);
  if (sourceQuery !== undefined) throw notImplemented("Copying a version is not supported by this endpoint");
  const slash = sourcePath!.indexOf("/");
  if (slash <= 0) throw invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  let sourceKey: string;
  let sourceBucketName: string;
  try {
    sourceKey = decodeURIComponent(sourcePath!.slice(slash + 1));
    sourceBucketName = decodeURIComponent(sourcePath!.slice(0, slash));
  } catch {
    throw invalidArgument("Copy Source is not validly URL-encoded");
  }
  const sourceBucket = buckets.get(sourceBucketName);
  if (!sourceBucket) throw noSuchBucket();
  const source = sourceBucket.store.get(sourceKey);
  if (!source) throw noSuchKey();
  const ifMatch = header(request, "x-amz-copy-source-if-match");
  if (ifMatch !== undefined && !etagMatches(ifMatch, source)) throw preconditionFailed();
  const directive = header(request, "x-amz-metadata-directive") ?? "COPY";
  if (directive !== "COPY" && directive !== "REPLACE") throw invalidArgument("Unknown metadata directive.");
  if (directive === "COPY" && sourceBucket === bucket && sourceKey === key) {
    throw new S3Error(
      400,
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const replaced = directive === "REPLACE";
  // Read before the copy: a refusal must not leave a temporary file behind.
  const metadata = replaced ? userMetadata(request) : source.metadata;
  const file = bucket.store.newTempFile();
  await fs.promises
    .copyFile(sourceBucket.store.dataPath(source), file, fs.constants.COPYFILE_EXCL)
    .catch((error: NodeJS.ErrnoException) => {
      // The source was replaced between the lookup and the copy.
      throw error.code === "ENOENT" ? noSuchKey() : error;
    });
  const record = bucket.store.commit(file, {
    key,
    size: source.size,
    etag: source.etag,
    contentType: replaced ? contentTypeOf(request) : source.contentType,
    metadata,
    lastModified: new Date().toISOString(),
  });
  sendXml(response, 200, toXml("CopyObjectResult", { LastModified: record.lastModified, ETag: `"${record.etag}"` }));
}
