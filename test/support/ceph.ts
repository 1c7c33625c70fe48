import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { S3Proxy } from "./s3-proxy";
import { makeTempDir } from "./engine-harness";
import { S3RVER_KEY, S3RVER_SECRET } from "./s3-server";

const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/ceph.sh");

export interface CephLab {
  /** The engine talks to the gateway through this proxy, which counts (and can disturb) requests. */
  proxy: S3Proxy;
  /** A client straight to the gateway, for checking what it holds. */
  s3: S3Client;
  endpoint: string;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A free port whose successor is free too (the monitor listens on both). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
}

/**
 * A one-node Ceph cluster (RADOS Gateway) on 127.0.0.1 for this test file, with the given buckets,
 * behind a counting proxy; removed with everything it stored when the file ends. The S3 user has
 * the same keys as the s3rver tests, so the engine harness works unchanged.
 */
export function useCeph(buckets: string[]): CephLab {
  const lab = {} as CephLab;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CEPH_DIR: makeTempDir("s3shift-ceph-"),
    S3_ACCESS_KEY: S3RVER_KEY,
    S3_SECRET_KEY: S3RVER_SECRET,
  };
  beforeAll(async () => {
    env.CEPH_MON_PORT = String(await freePortPair());
    env.RGW_PORT = String(await freePortPair());
    await run("bash", [SCRIPT, "up"], { env, timeout: 300_000 });
    lab.endpoint = `http://127.0.0.1:${env.RGW_PORT}`;
    lab.s3 = new S3Client({
      endpoint: lab.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    for (const bucket of buckets) await lab.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    lab.proxy = new S3Proxy(Number(env.RGW_PORT));
    await lab.proxy.start();
  }, 300_000);
  afterAll(async () => {
    await lab.proxy?.stop();
    lab.s3?.destroy();
    await run("bash", [SCRIPT, "down"], { env, timeout: 120_000 });
  }, 120_000);
  beforeEach(() => {
    lab.proxy?.reset();
    if (lab.proxy) {
      lab.proxy.interceptor = undefined;
      lab.proxy.rewriter = undefined;
    }
  });
  return lab;
}
