import crypto from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { BucketStore } from "./bucket-store";
import type { Bucket, RequestContext } from "./context";
import { sendXml } from "./context";
import { noSuchBucket, notImplemented, S3Error } from "./errors";
import { abortMultipartUpload } from "./operations/abort-multipart-upload";
import { completeMultipartUpload } from "./operations/complete-multipart-upload";
import { copyObject } from "./operations/copy-object";
import { createMultipartUpload } from "./operations/create-multipart-upload";
import { deleteObject } from "./operations/delete-object";
import { getObject } from "./operations/get-object";
import { getObjectLockConfiguration } from "./operations/get-object-lock-configuration";
import { headBucket } from "./operations/head-bucket";
import { listMultipartUploads } from "./operations/list-multipart-uploads";
import { listObjectsV2 } from "./operations/list-objects-v2";
import { putObject } from "./operations/put-object";
import { uploadPart } from "./operations/upload-part";
import { type Credentials, verifySignature } from "./sigv4";
import { Uploads } from "./uploads";
import { errorXml, toXml } from "./xml";

export interface S3ServerOptions {
  /** Where objects are kept; each bucket gets a folder. */
  directory: string;
  buckets: string[];
  credentials: Credentials[];
  host?: string;
  port?: number;
}

export interface RunningS3Server {
  port: number;
  endpoint: string;
  close(): Promise<void>;
}

/** Headers every answer carries: whatever an object holds, a browser downloads it and never renders it. */
const SAFE_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Content-Disposition": "attachment",
  "Content-Security-Policy": "sandbox; default-src 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

const MAX_KEY_BYTES = 1024;

/**
 * A small S3 protocol server over local files, for trying the product without a cloud account:
 * path-style requests signed with AWS Signature Version 4 (header or presigned URL) by one of
 * the given keys; anything else is refused.
 */
export async function startS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  const buckets = new Map<string, Bucket>();
  for (const name of options.buckets) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) throw new Error(`"${name}" is not a valid bucket name`);
    const store = new BucketStore(name, options.directory);
    buckets.set(name, { store, uploads: new Uploads(store) });
  }
  const server = http.createServer(
    {
      maxHeaderSize: 16 * 1024,
      headersTimeout: 20_000,
      // Bodies up to 5 GiB may take long; a stalled one is cut by the socket timeout below instead.
      requestTimeout: 0,
      keepAliveTimeout: 5_000,
    },
    (request, response) =>
      // Nothing a request does may end the process: a failure even in answering drops that connection only.
      void handle(request, response, buckets, options.credentials).catch(() => response.destroy()),
  );
  server.setTimeout(120_000, (socket) => socket.destroy());
  server.maxConnections = 512;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: net.Socket) => {
    // Malformed HTTP: answer if the connection still can, then drop it; the server carries on.
    if (socket.writable && !socket.writableEnded) {
      const status = error.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  buckets: Map<string, Bucket>,
  credentials: Credentials[],
): Promise<void> {
  const requestId = crypto.randomBytes(8).toString("hex").toUpperCase();
  for (const [name, value] of Object.entries(SAFE_HEADERS)) response.setHeader(name, value);
  response.setHeader("x-amz-request-id", requestId);
  response.setHeader("Server", "S3Shift-demo");
  const url = request.url ?? "/";
  const rawPath = url.split("?", 1)[0]!;
  try {
    if (!rawPath.startsWith("/")) throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    const query = parseQuery(url.slice(rawPath.length + 1));
    const verified = await verifySignature(
      { method: request.method ?? "", rawPath, query, headers: request.headersDistinct as Record<string, string[]> },
      credentials,
    );
    const [bucketName, key] = splitPath(rawPath);
    if (bucketName === "") return listBuckets(request, response, buckets);
    const bucket = buckets.get(bucketName);
    if (!bucket) throw noSuchBucket();
    const context: RequestContext = {
      request,
      response,
      query,
      bucket,
      key,
      payloadHash: verified.payloadHash,
      buckets,
    };
    await route(context);
  } catch (error) {
    sendError(request, response, error, rawPath, requestId);
  }
}

function route(context: RequestContext): Promise<void> {
  const { request, query, key } = context;
  const method = request.method;
  const has = (name: string) => name in query;
  const uploadId = typeof query.uploadId === "string" ? query.uploadId : undefined;
  if (key === "") {
    if (method === "HEAD") return headBucket(context);
    if (method === "GET" && has("object-lock")) return getObjectLockConfiguration();
    if (method === "GET" && has("uploads")) return listMultipartUploads(context);
    if (method === "GET" && query["list-type"] === "2") return listObjectsV2(context);
    throw notImplemented();
  }
  const subresource = Object.keys(query).find(
    (name) =>
      !["uploadId", "partNumber", "uploads", "x-id"].includes(name) &&
      !name.startsWith("X-Amz-") &&
      !name.startsWith("response-"),
  );
  if (subresource) throw notImplemented(`The ?${subresource} subresource is not supported by this endpoint`);
  if (method === "PUT" && uploadId !== undefined) return uploadPart(context);
  const copySource = request.headers["x-amz-copy-source"];
  if (method === "PUT" && typeof copySource === "string") return copyObject(context);
  if (method === "PUT") return putObject(context);
  if (method === "POST" && has("uploads")) return createMultipartUpload(context);
  if (method === "POST" && uploadId !== undefined) return completeMultipartUpload(context);
  if (method === "DELETE" && uploadId !== undefined) return abortMultipartUpload(context);
  if (method === "DELETE") return deleteObject(context);
  if (method === "GET" || method === "HEAD") return getObject(context);
  throw new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

async function listBuckets(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  buckets: Map<string, Bucket>,
): Promise<void> {
  if (request.method !== "GET")
    throw new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  const created = new Date(0).toISOString();
  sendXml(
    response,
    200,
    toXml("ListAllMyBucketsResult", {
      Owner: { ID: "demo", DisplayName: "demo" },
      Buckets: { Bucket: [...buckets.keys()].map((Name) => ({ Name, CreationDate: created })) },
    }),
  );
}

/** "/bucket/some/key" into the bucket and the decoded key (path style only). */
function splitPath(rawPath: string): [string, string] {
  let path: string;
  try {
    path = decodeURIComponent(rawPath.slice(1));
  } catch {
    throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
  const slash = path.indexOf("/");
  if (slash < 0) return [path, ""];
  const key = path.slice(slash + 1);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error(400, "KeyTooLongError", "Your key is too long");
  return [path.slice(0, slash), key];
}

function parseQuery(text: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (!text) return query;
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    }
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

function sendError(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  error: unknown,
  resource: string,
  requestId: string,
): void {
  const s3Error =
    error instanceof S3Error
      ? error
      : new S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
  if (!(error instanceof S3Error)) console.error(`demo S3 endpoint: ${request.method} ${resource}:`, error);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  // An unread body must not be taken for the next request on a kept-alive connection.
  if (!request.complete) response.setHeader("Connection", "close");
  // Headers an object's answer had set before it failed describe an object the error does not carry.
  for (const name of response.getHeaderNames()) {
    if (name.startsWith("x-amz-meta-") || ["etag", "last-modified", "accept-ranges"].includes(name))
      response.removeHeader(name);
    if (name === "content-range" && s3Error.status !== 416) response.removeHeader(name);
  }
  if (request.method === "HEAD") {
    response.statusCode = s3Error.status;
    response.setHeader("x-amz-error-code", s3Error.code);
    response.end();
    return;
  }
  sendXml(response, s3Error.status, errorXml(s3Error, resource, requestId));
}
