// kill -9 of the worker during a multipart upload, asked of the store itself afterwards (Ceph RGW
// lists unfinished uploads; s3rver cannot): nothing is left behind once the next job is done.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, storeFields, waitForJobEnd, type AppServer } from "../support/app-server";
import { useCeph } from "../support/ceph";
import { readObject, sha256Hex } from "../support/engine-harness";
import { isPartUpload } from "../support/s3-proxy";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "crash-ceph";
const MiB = 1024 * 1024;
const lab = useCeph([BUCKET]);
let app: AppServer;
let token: string;

beforeAll(async () => {
  app = await startApp();
  token = await app.login();
});
afterAll(() => app?.stop());

const unfinishedUploads = async () =>
  (await lab.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [];

describe("a worker killed during a multipart upload to Ceph RGW", () => {
  it("leaves one upload that the worker taking the job over resumes and completes; then the store holds no unfinished upload", async () => {
    const dir = path.join(app.fsRoot, "crash");
    fs.mkdirSync(dir);
    const body = crypto.randomBytes(48 * MiB); // 6 parts of 8 MiB
    fs.writeFileSync(path.join(dir, "big.bin"), body);
    // Part N takes N × 600 ms, so the parts land one after another.
    lab.proxy.interceptor = (r) => (isPartUpload(r) ? { delayMs: Number(r.query.get("partNumber")) * 600 } : undefined);
    const created = await app.call("POST", `${BASE}/`, {
      token,
      body: {
        ...storeFields(lab.proxy.port, BUCKET),
        local_directory_path: "/crash",
        object_folder: "crash/",
      },
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    const deadline = Date.now() + 30_000;
    while (lab.proxy.count((r) => isPartUpload(r) && r.status === 200) < 2) {
      if (Date.now() > deadline) throw new Error("no two parts landed in 30 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The proxy sees part 2's answer before the worker records it; part 3 lands 600 ms later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await app.killWorker();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await unfinishedUploads()).toHaveLength(1);

    // The next worker sees the lost worker's process gone, takes the job over and continues it.
    lab.proxy.interceptor = undefined;
    lab.proxy.reset();
    app.startWorker();
    // Generous: a worker starting on a machine busy with other suites takes its time.
    expect((await waitForJobEnd(app, token, id, 90_000)).last_job).toMatchObject({
      outcome: "SUCCEEDED",
      error: "",
      takeovers: 1,
    });

    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(0);
    expect(lab.proxy.count(isPartUpload)).toBeLessThanOrEqual(4);
    expect(sha256Hex((await readObject(lab.s3, BUCKET, "crash/big.bin")).body)).toBe(sha256Hex(body));
    expect(await unfinishedUploads()).toEqual([]);
  }, 180_000);
});
