import crypto from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/**
 * Route handlers see headers, never the socket. When the web server starts, each request is
 * given this header holding its socket's remote address, overwriting whatever the client sent.
 * X-Forwarded-For is not used: a client can write anything there.
 */
const HEADER = "x-s3shift-client-address";
/** Whoever reads the header must be able to tell it came from this process and not from the client. */
const MARK = Symbol.for("s3shift.clientAddressMark");
const state = globalThis as unknown as { [MARK]?: string };

export const UNKNOWN_ADDRESS = "unknown";

/** Called once in the web server's process, before it serves requests. */
export function recordClientAddresses(): void {
  if (state[MARK]) return;
  const mark = crypto.randomBytes(16).toString("hex");
  state[MARK] = mark;
  diagnosticsChannel.subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[HEADER] = `${mark} ${socket.remoteAddress ?? UNKNOWN_ADDRESS}`;
  });
}

/** The socket address a request came from, or "unknown" for one that did not pass through the hook. */
export function clientAddressOf(headers: Headers | Record<string, string | string[] | undefined> | undefined): string {
  const raw = headers instanceof Headers ? headers.get(HEADER) : headers?.[HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const mark = state[MARK];
  if (!mark || !value?.startsWith(`${mark} `)) return UNKNOWN_ADDRESS;
  return value.slice(mark.length + 1);
}
