import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";
import { listKeys, readObject, sha256Hex } from "../support/engine-harness";
import { isListing } from "../support/listing-xml";
import { inspectionClient } from "../support/s3-server";
import { isPartUpload } from "../support/s3-proxy";
import { until } from "../support/until";
import { replicationLog } from "../support/worker-scenarios";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "crash-bucket";
const MiB = 1024 * 1024;
const lab = useAppWithStore(BUCKET);

const create = (body: Record<string, unknown>) =>
  lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: {
      ...storeFields(lab.proxy.port, BUCKET),
      ...body,
    },
  });

function filesUnder(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((p) => fs.statSync(path.join(root, p)).isFile())
    .sort();
}

/**
 * After a kill -9 the next worker sees the lost worker's process gone, takes the job over at once
 * (without waiting for the lease to run out) and continues it to success. The store is back to
 * normal and its request log cleared first, so that what the proxy records is the take-over's.
 */
async function expectTakenOverToSuccess(id: string) {
  lab.proxy.interceptor = undefined;
  lab.proxy.reset();
  lab.app.startWorker();
  const done = await waitForJobEnd(lab.app, lab.token, id, 30_000);
  expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "", takeovers: 1 });
}

describe("a worker killed in the middle of a job", () => {
  it("copy from S3: the worker taking the job over removes the partial files, downloads nothing twice, and completes", async () => {
    const client = inspectionClient(lab.s3.endpoint);
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < 40; i++)
      contents.set(`small/f${String(i).padStart(2, "0")}.txt`, Buffer.from(`small file ${i} ${"x".repeat(i)}`));
    contents.set("big.bin", crypto.randomBytes(40 * MiB));
    for (const [name, body] of contents) {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `pull/${name}`,
          Body: body,
          Metadata: { sha256: sha256Hex(body) },
        }),
      );
    }
    const dir = path.join(lab.app.fsRoot, "crash-pull");
    fs.mkdirSync(dir);
    lab.proxy.interceptor = (r) =>
      r.method === "GET" && !isListing(r.query) ? { delayMs: r.headers.range ? 1_500 : 600 } : undefined;

    const created = await create({
      direction: "COPY_FROM_OBJECT",
      local_directory_path: "/crash-pull",
      object_folder: "pull/",
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    await until("a partial file and some finished files", () => {
      const files = fs.existsSync(dir) ? filesUnder(dir) : [];
      return files.some((f) => f.endsWith(".partial")) && files.filter((f) => f.startsWith("small/")).length >= 5;
    });
    await lab.app.killWorker();
    const finished = filesUnder(dir).filter((f) => !f.endsWith(".partial"));
    expect(filesUnder(dir).some((f) => f.endsWith(".partial"))).toBe(true);

    await expectTakenOverToSuccess(id);
    expect(filesUnder(dir)).toEqual([...contents.keys()].sort());
    for (const [name, body] of contents) expect(sha256Hex(fs.readFileSync(path.join(dir, name)))).toBe(sha256Hex(body));
    const fetchedAgain = lab.proxy.requests.filter(
      (r) => r.method === "GET" && !isListing(r.query) && finished.some((f) => r.path.endsWith(`/pull/${f}`)),
    );
    expect(fetchedAgain).toEqual([]);
    const log = await replicationLog(lab.app, id);
    expect(log).toMatch(/"event":"leftovers-removed","count":[1-9]/);
  });

  it("copy to S3: the worker taking the job over sends no finished file again, resumes the multipart upload, and every object is intact", async () => {
    const dir = path.join(lab.app.fsRoot, "crash-push");
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < 60; i++)
      contents.set(`d${i % 3}/f${String(i).padStart(2, "0")}.bin`, crypto.randomBytes(2048 + i));
    contents.set("big.bin", crypto.randomBytes(48 * MiB)); // 6 parts of 8 MiB
    for (const [name, body] of contents) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), body);
    }
    // Part N of the large file takes N × 700 ms, so the parts land one after another.
    lab.proxy.interceptor = (r) =>
      r.method === "PUT" ? { delayMs: isPartUpload(r) ? Number(r.query.get("partNumber")) * 700 : 120 } : undefined;
    const created = await create({ local_directory_path: "/crash-push", object_folder: "push/" });
    const id = created.json.id;
    const client = inspectionClient(lab.s3.endpoint);
    const partsLanded = () => lab.proxy.count((r) => isPartUpload(r) && r.status === 200);
    await until(
      "some finished uploads and two parts",
      async () => (await listKeys(client, BUCKET, "push/")).length >= 10 && partsLanded() >= 2,
    );
    await lab.app.killWorker();
    // Requests the proxy was holding still reach the store after the kill; let them land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const finished = new Set(await listKeys(client, BUCKET, "push/"));
    expect(finished.size).toBeLessThan(contents.size);
    // Tracking never claims a file that the bucket does not hold.
    const tracking = new TrackingStore(path.join(lab.app.dataDir, "tracking", `${id}.db`));
    for await (const row of tracking.rows()) expect(finished.has(`push/${row.path}`), row.path).toBe(true);
    tracking.close();

    await expectTakenOverToSuccess(id);
    const resent = lab.proxy.requests.filter(
      (r) => r.method === "PUT" && finished.has(r.path.slice(`/${BUCKET}/`.length)),
    );
    expect(resent).toEqual([]);
    // The multipart upload was resumed, not begun again: at most the parts not yet confirmed are sent.
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(0);
    expect(lab.proxy.count(isPartUpload)).toBeLessThanOrEqual(4);
    expect(lab.proxy.count((r) => r.method === "PUT" && !r.query.has("partNumber"))).toBe(
      contents.size - 1 - finished.size,
    );
    for (const [name, body] of contents) {
      const object = await readObject(client, BUCKET, `push/${name}`);
      expect(sha256Hex(object.body)).toBe(sha256Hex(body));
      expect(object.metadata.sha256).toBe(sha256Hex(body));
    }
  });
});

describe("a web server restarted during a job", () => {
  it("leaves the job running to success", async () => {
    const dir = path.join(lab.app.fsRoot, "web-restart");
    fs.mkdirSync(dir);
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}`);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 100 } : undefined);
    const id = (await create({ local_directory_path: "/web-restart", object_folder: "web-restart/" })).json.id;
    await until(
      "the job to run",
      async () =>
        (await lab.app.call("GET", `${BASE}/${id}/status`, { token: lab.token })).json.state === "REPLICATION_RUNNING",
    );

    await lab.app.restartWebServer();

    const done = await waitForJobEnd(lab.app, lab.token, id);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expect(done.last_job.job_progress.files_transferred).toBe("40");
  });
});
