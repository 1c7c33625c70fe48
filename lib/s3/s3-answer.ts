import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { StoreRequestError } from "./store-request-error";

export const NOT_S3_ANSWER = "NotS3Answer";

/**
 * An error answer that is not an S3 error document: the endpoint is some other service. Its
 * body is never repeated: it could be anything a service on the store's host holds.
 */
export class NotS3AnswerError extends StoreRequestError {
  constructor(status: number) {
    super(NOT_S3_ANSWER, `the endpoint did not answer as an S3 server (HTTP ${status})`, status);
  }
}

/** An S3 error document is an XML <Error> element that carries a <Code>. */
export function isS3ErrorDocument(body: string): boolean {
  return (
    /^\s*(<\?xml[^>]*\?>\s*)?<Error[\s>]/.test(body) && /<\/Error>\s*$/.test(body) && /<Code>[^<]+<\/Code>/.test(body)
  );
}

/** The error for a failed answer's body: empty (a HEAD, a bare status) and S3 error documents are the SDK's to read. */
export function nonS3Answer(status: number, body: string): NotS3AnswerError | undefined {
  return body.trim() === "" || isS3ErrorDocument(body) ? undefined : new NotS3AnswerError(status);
}

/** S3 error documents are a few hundred bytes; an answer far larger is not one. */
const ERROR_BODY_LIMIT = 64 * 1024;

interface RawResponse {
  statusCode: number;
  body?: Readable | Uint8Array;
}

/**
 * Reads the body of every failed answer before the SDK's deserializer does, and turns one that
 * is not an S3 error document into NotS3AnswerError (the SDK would repeat its text as a message).
 */
export function refuseNonS3Answers(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse;
      if (response.statusCode < 300 || response.body === undefined) return result;
      const body = await readLimited(response.body);
      if (body === undefined) throw new NotS3AnswerError(response.statusCode);
      const refusal = nonS3Answer(response.statusCode, body.toString("utf8"));
      if (refusal) throw refusal;
      response.body = body;
      return result;
    },
    // Low priority in the deserialize step: inside the SDK's deserializer, so it sees the raw answer first.
    { step: "deserialize", priority: "low", name: "refuseNonS3Answers" },
  );
}

async function readLimited(body: Readable | Uint8Array): Promise<Buffer | undefined> {
  if (body instanceof Uint8Array) return body.length > ERROR_BODY_LIMIT ? undefined : Buffer.from(body);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > ERROR_BODY_LIMIT) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
