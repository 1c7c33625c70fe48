import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  bodyBytes: number;
  headers: http.IncomingHttpHeaders;
  /** When the request's first byte arrived (ms since the epoch). */
  arrivedAt: number;
  status?: number;
}

/**
 * Decides what the proxy does with a request: undefined forwards it as it is; a status answers in
 * the store's place; `delayMs` forwards late; "reset" drops the connection before forwarding and
 * "reset-after" after the store has acted on the request; `stallMs` holds the request unanswered,
 * then drops it; "truncate" forwards and cuts the reply off halfway through its body; "corrupt"
 * forwards the request with one byte of its body flipped, as damage on the way would.
 */
/** The part number an upload's first job sends to ask whether the store checks signed digests (lib/s3/payload-check.ts). */
const PROBE_PART_NUMBER = "10000";

export const isPayloadProbe = (r: Pick<ProxiedRequest, "method" | "query">): boolean =>
  r.method === "PUT" && r.query.get("partNumber") === PROBE_PART_NUMBER;

/** An UploadPart request that carries a part of the file (not the probe). */
export const isPartUpload = (r: Pick<ProxiedRequest, "method" | "query">): boolean =>
  r.method === "PUT" && r.query.has("partNumber") && !isPayloadProbe(r);

export type Interceptor = (
  request: ProxiedRequest,
) =>
  | undefined
  | { status: number; body?: string; headers?: Record<string, string> }
  | { delayMs: number }
  | { stallMs: number }
  | "reset"
  | "reset-after"
  | "truncate"
  | "corrupt";

/** Rewrites a response body from the store (e.g. to list keys the store itself cannot hold); undefined leaves it. */
export type ResponseRewriter = (request: ProxiedRequest, body: string) => string | undefined;

/**
 * A loopback HTTP proxy in front of an S3 server: it records every request (so a test can count
 * what the store received) and can answer some requests itself or reset their connection.
 */
export class S3Proxy {
  readonly requests: ProxiedRequest[] = [];
  interceptor?: Interceptor;
  rewriter?: ResponseRewriter;
  private server?: http.Server | https.Server;
  port = 0;

  /** With `tls`, the proxy speaks HTTPS to its clients (and plain HTTP to the store behind it). */
  constructor(
    private readonly targetPort: number,
    private readonly tls?: { key: string; cert: string },
  ) {}

  get endpoint(): string {
    return `${this.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.server = this.tls ? https.createServer(this.tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.requests.length = 0;
  }

  count(predicate: (r: ProxiedRequest) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  /** Bytes of request bodies that carried object data (PUT without a copy source). */
  /** Bytes of object data sent: every PUT body but the payload-check probe's. */
  uploadedBytes(): number {
    return this.requests
      .filter((r) => r.method === "PUT" && !isPayloadProbe(r))
      .reduce((sum, r) => sum + r.bodyBytes, 0);
  }

  /** Sends the reply's headers and the first half of its body, then drops the connection. */
  private truncate(reply: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    reply.on("data", (chunk: Buffer) => chunks.push(chunk));
    reply.on("end", () => {
      const body = Buffer.concat(chunks);
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      res.socket?.destroy();
    });
  }

  private rewrite(record: ProxiedRequest, reply: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    reply.on("data", (chunk: Buffer) => chunks.push(chunk));
    reply.on("end", () => {
      const original = Buffer.concat(chunks);
      const rewritten = this.rewriter?.(record, original.toString("utf8"));
      const body = rewritten === undefined ? original : Buffer.from(rewritten, "utf8");
      res.writeHead(reply.statusCode ?? 502, { ...reply.headers, "content-length": String(body.length) });
      res.end(body);
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://proxy");
    const record: ProxiedRequest = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      bodyBytes: 0,
      headers: req.headers,
      arrivedAt: Date.now(),
    };
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      record.bodyBytes += chunk.length;
    });
    this.requests.push(record);
    req.on("end", async () => {
      let verdict = this.interceptor?.(record);
      if (typeof verdict === "object" && "delayMs" in verdict) {
        const delay = verdict.delayMs;
        await new Promise((resolve) => setTimeout(resolve, delay));
        verdict = undefined;
        // The client gave up meanwhile (a stopped job): a real network would not deliver its
        // request late, and s3rver, which writes a part number's file in place, would let it
        // garble the same part sent again by the next job.
        if (res.destroyed || req.socket.destroyed) return;
      }
      if (verdict === "reset") {
        req.socket.destroy();
        return;
      }
      if (typeof verdict === "object" && "stallMs" in verdict) {
        setTimeout(() => req.socket.destroy(), verdict.stallMs).unref();
        return;
      }
      if (typeof verdict === "object") {
        record.status = verdict.status;
        res.writeHead(verdict.status, { "content-type": "application/xml", ...verdict.headers });
        res.end(verdict.body ?? "");
        return;
      }
      const upstream = http.request(
        { host: "127.0.0.1", port: this.targetPort, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          record.status = reply.statusCode;
          if (verdict === "reset-after") {
            reply.resume();
            reply.on("end", () => req.socket.destroy());
          } else if (verdict === "truncate") this.truncate(reply, res);
          else if (this.rewriter) this.rewrite(record, reply, res);
          else {
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(res);
          }
        },
      );
      upstream.on("error", () => res.destroy());
      // A client that went away (a killed worker, a stopped job) must not leave the store's reply hanging.
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      const body = Buffer.concat(chunks);
      if (verdict === "corrupt" && body.length > 0) body[body.length >> 1]! ^= 0xff;
      upstream.end(body);
    });
  }
}
