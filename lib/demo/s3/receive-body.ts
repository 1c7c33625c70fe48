import crypto from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage } from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { S3Error } from "./errors";

export interface ReceivedBody {
  size: number;
  md5: Buffer;
  sha256: Buffer;
}

/** S3's own limit for one PUT (an object or a part). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

/**
 * Writes a request body to a new file, hashing it on the way, and refuses one longer than its
 * Content-Length or the limit. The file is removed when anything goes wrong.
 */
export async function receiveBody(
  request: IncomingMessage,
  file: string,
  limit = MAX_PUT_BYTES,
): Promise<ReceivedBody> {
  const declared = declaredLength(request, limit);
  const md5 = crypto.createHash("md5");
  const sha256 = crypto.createHash("sha256");
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > declared)
        return done(new S3Error(400, "IncompleteBody", "The request body is longer than its Content-Length"));
      md5.update(chunk);
      sha256.update(chunk);
      done(null, chunk);
    },
  });
  const out = fs.createWriteStream(file, { flags: "wx", mode: 0o600 });
  try {
    await pipeline(request, hashing, out);
    if (size !== declared)
      throw new S3Error(
        400,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
      );
  } catch (error) {
    // The file is opened asynchronously: removing it before the stream closes could race its creation.
    if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
    fs.rmSync(file, { force: true });
    throw cutShort(request, error);
  }
  return { size, md5: md5.digest(), sha256: sha256.digest() };
}

/** Reads a small body (an XML document) into memory, refusing anything past the limit. */
export async function receiveSmallBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers["content-length"] === undefined ? undefined : declaredLength(request, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new S3Error(400, "MaxMessageLengthExceeded", "Your request was too big.");
      chunks.push(chunk);
    }
  } catch (error) {
    throw cutShort(request, error);
  }
  if (declared !== undefined && size !== declared)
    throw new S3Error(
      400,
      "IncompleteBody",
      "You did not provide the number of bytes specified by the Content-Length HTTP header",
    );
  return Buffer.concat(chunks);
}

/** A client that hung up mid-body is the client's doing, not a fault of this server. */
function cutShort(request: IncomingMessage, error: unknown): unknown {
  if (error instanceof S3Error || !(request.destroyed || request.readableAborted)) return error;
  return new S3Error(400, "IncompleteBody", "The connection closed before the whole body was received");
}

function declaredLength(request: IncomingMessage, limit: number): number {
  const header = request.headers["content-length"];
  if (header === undefined)
    throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
  if (!/^\d{1,15}$/.test(header)) throw new S3Error(400, "InvalidArgument", "Content-Length is not a number");
  const length = Number(header);
  if (length > limit)
    throw new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
  return length;
}
