import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import { S3Error, notImplemented } from "./errors";
import type { ReceivedBody } from "./receive-body";
import { header } from "./context";

/** Refused before the body is read: bodies this store could not verify. */
export function refuseUnverifiableBody(request: IncomingMessage, payloadHash: string): void {
  if (payloadHash.startsWith("STREAMING-"))
    throw notImplemented("aws-chunked (streaming) payloads are not supported by this endpoint; send the body whole");
  if (payloadHash !== "UNSIGNED-PAYLOAD" && !/^[0-9a-f]{64}$/.test(payloadHash))
    throw new S3Error(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA-256 hex digest");
  for (const name of Object.keys(request.headers)) {
    if (name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-sha256" && name !== "x-amz-checksum-type") {
      throw notImplemented(`${name} is not supported by this endpoint; send Content-MD5 or x-amz-checksum-sha256`);
    }
  }
  const md5 = header(request, "content-md5");
  if (md5 !== undefined && Buffer.from(md5, "base64").length !== 16)
    throw new S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
}

/** Checked after the body is read and before it is kept: each digest the client sent must match it. */
export function checkBodyDigests(request: IncomingMessage, payloadHash: string, body: ReceivedBody): void {
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== body.sha256.toString("hex")) {
    throw new S3Error(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const md5 = header(request, "content-md5");
  if (md5 !== undefined && !crypto.timingSafeEqual(Buffer.from(md5, "base64"), body.md5)) {
    throw new S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
  }
  const sha256 = header(request, "x-amz-checksum-sha256");
  if (sha256 !== undefined && sha256 !== body.sha256.toString("base64")) {
    throw new S3Error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.");
  }
}

/** S3's 2 KB limit on user metadata, names and values together. */
const MAX_METADATA_BYTES = 2048;

export function userMetadata(request: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith("x-amz-meta-") || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(",") : value;
    metadata[name.slice("x-amz-meta-".length)] = text;
    bytes += Buffer.byteLength(name) - "x-amz-meta-".length + Buffer.byteLength(text);
  }
  if (bytes > MAX_METADATA_BYTES)
    throw new S3Error(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.");
  return metadata;
}

export function contentTypeOf(request: IncomingMessage): string {
  return request.headers["content-type"] ?? "binary/octet-stream";
}
