import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { S3Proxy } from "./s3-proxy";
import { inspectionClient, startS3Server, type S3TestServer } from "./s3-server";

export interface ProxiedS3 {
  server: S3TestServer;
  /** The engine talks to the store through this proxy, which counts (and can disturb) requests. */
  proxy: S3Proxy;
  /** A client straight to the store, for checking what it holds. */
  s3: S3Client;
}

/** An s3rver with one bucket behind a counting proxy for this test file; each test starts with a clean proxy. */
export function useProxiedS3(bucket: string): ProxiedS3 {
  const lab = {} as ProxiedS3;
  beforeAll(async () => {
    lab.server = await startS3Server([bucket]);
    lab.proxy = new S3Proxy(lab.server.port);
    await lab.proxy.start();
    lab.s3 = inspectionClient(lab.server.endpoint);
  });
  afterAll(async () => {
    await lab.proxy?.stop();
    await lab.server?.stop();
  });
  beforeEach(() => {
    lab.proxy.reset();
    lab.proxy.interceptor = undefined;
    lab.proxy.rewriter = undefined;
  });
  return lab;
}
