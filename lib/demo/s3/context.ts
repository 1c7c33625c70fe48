import type { IncomingMessage, ServerResponse } from "node:http";
import type { BucketStore } from "./bucket-store";
import type { Uploads } from "./uploads";

export interface Bucket {
  store: BucketStore;
  uploads: Uploads;
}

/** One authenticated request, routed: what every handler gets. */
export interface RequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  query: Record<string, string | string[]>;
  bucket: Bucket;
  /** Decoded; "" for a request on the bucket itself. */
  key: string;
  /** What the signature says the body hashes to (hex), or UNSIGNED-PAYLOAD. */
  payloadHash: string;
  buckets: Map<string, Bucket>;
}

export function queryValue(context: RequestContext, name: string): string | undefined {
  const value = context.query[name];
  return typeof value === "string" ? value : undefined;
}

export function sendXml(response: ServerResponse, status: number, xml: string): void {
  response.statusCode = status;
  response.setHeader("Content-Type", "application/xml");
  response.setHeader("Content-Length", Buffer.byteLength(xml));
  response.end(xml);
}

/** A header's value, repeated ones joined as HTTP allows. */
export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
