import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { startS3Server, type RunningS3Server } from "@/lib/demo/s3/server";
import { NodeSha256 } from "@/lib/s3/node-sha256";
import { S3RVER_KEY, S3RVER_SECRET } from "./s3-server";

export interface DemoS3 extends RunningS3Server {
  directory: string;
  stop(): Promise<void>;
}

/** The demo endpoint, in this process, on a free loopback port, with the keys the engine harness signs with. */
export async function startDemoS3Server(buckets: string[]): Promise<DemoS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-demo-s3-"));
  const server = await startS3Server({
    directory,
    buckets,
    credentials: [{ accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET }],
  });
  return {
    ...server,
    directory,
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export function signer(secretAccessKey = S3RVER_SECRET, accessKeyId = S3RVER_KEY): SignatureV4 {
  return new SignatureV4({
    service: "s3",
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey },
    sha256: NodeSha256,
    uriEscapePath: false,
  });
}

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A request signed in the header form as an SDK would, for sending by hand (and tampering with). */
export async function signedRequest(
  endpoint: string,
  request: RawRequest,
  options: { secret?: string; payload?: "signed" | "unsigned" } = {},
) {
  const url = new URL(endpoint);
  const body = request.body;
  const toSign: HttpRequest = {
    method: request.method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: request.path,
    query: request.query ?? {},
    headers: {
      host: url.host,
      ...(options.payload === "unsigned" ? { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } : {}),
      ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
      ...request.headers,
    },
    body,
  };
  return (await signer(options.secret).sign(toSign)) as HttpRequest;
}

/** A presigned GET as the SDK's S3 presigner makes it (the payload left unsigned, named in the query). */
export async function presignedGet(
  endpoint: string,
  path: string,
  options: { signingDate?: Date; expiresIn?: number } = {},
): Promise<HttpRequest> {
  const url = new URL(endpoint);
  return signer().presign(
    {
      method: "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: {},
      headers: { host: url.host, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" },
    },
    { expiresIn: 900, ...options },
  );
}

/** The URL a signed request goes to (path and query exactly as signed). */
export function urlOf(endpoint: string, request: HttpRequest): string {
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `${endpoint}${request.path}${query ? `?${query}` : ""}`;
}
