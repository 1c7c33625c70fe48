import { AppError } from "@/lib/errors";

/** No request this service takes needs more; a larger body is refused, not read. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () =>
  new AppError(
    "PAYLOAD_TOO_LARGE",
    `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB; nothing was read past that.`,
  );

/** Refuses a body whose declared length is over the limit, before any of it is read. */
export function checkDeclaredLength(request: Request): void {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
}

/**
 * The body as bytes, reading no more than the limit: a chunked body that runs past it (no length
 * declared, or a false one) is cancelled there.
 */
export async function readBoundedBody(request: Request): Promise<Uint8Array> {
  checkDeclaredLength(request);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
