import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { type RequestContext, queryValue } from "../context";
import { noSuchKey, notImplemented, S3Error } from "../errors";
import { etagMatches, preconditionFailed } from "../etag-match";

/** GET and HEAD of an object, with Range, If-Match and If-None-Match. */
export async function getObject(context: RequestContext): Promise<void> {
  const { request, response, bucket, key } = context;
  const withBody = request.method !== "HEAD";
  if (queryValue(context, "partNumber") !== undefined || queryValue(context, "versionId") !== undefined)
    throw notImplemented();
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
