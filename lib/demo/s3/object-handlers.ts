import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import type { ObjectRecord } from "./bucket-store";
import { checkBodyDigests, contentTypeOf, refuseUnverifiableBody, userMetadata } from "./body-checks";
import { header, type RequestContext, queryValue, sendXml } from "./context";
import { invalidArgument, noSuchBucket, noSuchKey, notImplemented, S3Error } from "./errors";
import { receiveBody } from "./receive-body";
import { toXml } from "./xml";

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
  const record = bucket.store.commit(file, { key, size: body.size, etag: body.md5.toString("hex"), contentType: contentTypeOf(request), metadata, lastModified: new Date().toISOString() });
  response.setHeader("ETag", `"${record.etag}"`);
  response.end();
}

export async function copyObject(context: RequestContext, copySource: string): Promise<void> {
  const { request, response, bucket, key, buckets } = context;
  const [sourcePath, sourceQuery] = copySource.replace(/^\//, "").split("?", 2);
  if (sourceQuery !== undefined) throw notImplemented("Copying a version is not supported by this endpoint");
  const slash = sourcePath!.indexOf("/");
  if (slash <= 0) throw invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  let sourceKey: string;
  try {
    sourceKey = decodeURIComponent(sourcePath!.slice(slash + 1));
  } catch {
    throw invalidArgument("Copy Source is not validly URL-encoded");
  }
  const sourceBucket = buckets.get(decodeURIComponent(sourcePath!.slice(0, slash)));
  if (!sourceBucket) throw noSuchBucket();
  const source = sourceBucket.store.get(sourceKey);
  if (!source) throw noSuchKey();
  const ifMatch = header(request, "x-amz-copy-source-if-match");
  if (ifMatch !== undefined && !etagMatches(ifMatch, source)) throw preconditionFailed();
  const directive = header(request, "x-amz-metadata-directive") ?? "COPY";
  if (directive !== "COPY" && directive !== "REPLACE") throw invalidArgument("Unknown metadata directive.");
  if (directive === "COPY" && sourceBucket === bucket && sourceKey === key) {
    throw new S3Error(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const replaced = directive === "REPLACE";
  const file = bucket.store.newTempFile();
  await fs.promises.copyFile(sourceBucket.store.dataPath(source), file, fs.constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
    // The source was replaced between the lookup and the copy.
    throw error.code === "ENOENT" ? noSuchKey() : error;
  });
  const record = bucket.store.commit(file, {
    key,
    size: source.size,
    etag: source.etag,
    contentType: replaced ? contentTypeOf(request) : source.contentType,
    metadata: replaced ? userMetadata(request) : source.metadata,
    lastModified: new Date().toISOString(),
  });
  sendXml(response, 200, toXml("CopyObjectResult", { LastModified: record.lastModified, ETag: `"${record.etag}"` }));
}

export async function deleteObject({ response, bucket, key }: RequestContext): Promise<void> {
  bucket.store.delete(key);
  response.statusCode = 204;
  response.end();
}

const preconditionFailed = () => new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");

function etagMatches(header: string, record: ObjectRecord): boolean {
  return header.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "");
    return t === "*" || t.replace(/^"|"$/g, "") === record.etag;
  });
}

/** GET and HEAD of an object, with Range, If-Match and If-None-Match. */
export async function getObject(context: RequestContext, withBody: boolean): Promise<void> {
  const { request, response, bucket, key } = context;
  if (queryValue(context, "partNumber") !== undefined || queryValue(context, "versionId") !== undefined) throw notImplemented();
  let record = bucket.store.get(key);
  let handle: fs.promises.FileHandle | undefined;
  // A concurrent PUT may replace the data file between the lookup and the open: look again once.
  for (let attempt = 0; record && !handle && attempt < 2; attempt++) {
    handle = await fs.promises.open(bucket.store.dataPath(record), "r").catch(() => undefined);
    if (!handle) record = bucket.store.get(key);
  }
  if (!record || !handle) throw noSuchKey();
  try {
    const ifMatch = request.headers["if-match"];
    if (ifMatch !== undefined && !etagMatches(ifMatch, record)) throw preconditionFailed();
    response.setHeader("ETag", `"${record.etag}"`);
    response.setHeader("Last-Modified", new Date(record.lastModified).toUTCString());
    response.setHeader("Accept-Ranges", "bytes");
    const ifNoneMatch = request.headers["if-none-match"];
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, record)) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.setHeader("Content-Type", record.contentType);
    for (const [name, value] of Object.entries(record.metadata)) response.setHeader(`x-amz-meta-${name}`, value);
    const range = parseRange(request.headers.range, record.size);
    if (range === "unsatisfiable") {
      response.setHeader("Content-Range", `bytes */${record.size}`);
      throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
    }
    const [start, end] = range ?? [0, record.size - 1];
    if (range) {
      response.statusCode = 206;
      response.setHeader("Content-Range", `bytes ${start}-${end}/${record.size}`);
    }
    response.setHeader("Content-Length", end - start + 1);
    if (!withBody || end < start) {
      response.end();
      return;
    }
    await pipeline(handle.createReadStream({ start, end, autoClose: false }), response).catch(() => {
      // The client went away mid-answer: nothing to tell it.
    });
  } finally {
    await handle.close();
  }
}

/** One byte range as S3 reads it; an unreadable header is ignored (the whole object is sent), as S3 does. */
function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | undefined {
  const match = header === undefined ? null : /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return [start, end];
}
