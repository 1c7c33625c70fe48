import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { startAppWithStore, stopAppWithStore, waitForJobEnd, type AppServer } from "../support/app-server";
import { selfSignedCertificate } from "../support/certificates";
import { listKeys, readObject, sha256Hex } from "../support/engine-harness";
import { S3Proxy } from "../support/s3-proxy";
import { inspectionClient, S3RVER_KEY, S3RVER_SECRET, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "relationship-bucket";
let app: AppServer;
let s3: S3TestServer;
let proxy: S3Proxy;
let token: string;
let folderSeq = 0;

beforeAll(async () => {
  ({ app, s3, proxy, token } = await startAppWithStore(BUCKET));
  fs.mkdirSync(path.join(app.fsRoot, "projects/a/sub"), { recursive: true });
  fs.writeFileSync(path.join(app.fsRoot, "projects/a/one.txt"), "one");
  fs.writeFileSync(path.join(app.fsRoot, "projects/a/sub/two.txt"), "two");
  fs.writeFileSync(path.join(app.fsRoot, "projects/plain-file"), "not a directory");
});

afterAll(() => stopAppWithStore({ app, s3, proxy }));

beforeEach(() => {
  proxy.interceptor = undefined;
});

async function trackedPaths(file: string): Promise<Set<string>> {
  const store = new TrackingStore(file);
  const paths = new Set<string>();
  for await (const row of store.rows()) paths.add(row.path);
  store.close();
  return paths;
}

function body(overrides: Record<string, unknown> = {}) {
  return {
    local_directory_path: "/projects/a",
    object_store_address: "http://127.0.0.1",
    port: proxy.port,
    bucket: BUCKET,
    bucket_style: "BUCKET_STYLE_PATH",
    object_folder: `rel-${++folderSeq}`,
    access_key_id: S3RVER_KEY,
    secret_access_key: S3RVER_SECRET,
    ...overrides,
  };
}

const create = (overrides: Record<string, unknown> = {}) =>
  app.call("POST", `${BASE}/`, { token, body: body(overrides) });

async function expectRefusal(overrides: Record<string, unknown>, field: string, description: string | RegExp) {
  const before = (await app.call("GET", `${BASE}/`, { token })).json.length;
  const reply = await create(overrides);
  expect(reply.status).toBe(400);
  expect(reply.json.error_class).toBe("validation_error");
  expect(reply.json.field).toBe(field);
  if (typeof description === "string") expect(reply.json.description).toBe(description);
  else expect(reply.json.description).toMatch(description);
  // Nothing was stored.
  expect((await app.call("GET", `${BASE}/`, { token })).json.length).toBe(before);
}

describe("creating a relationship: every validation, nothing stored on failure", () => {
  it("refuses a local directory that does not exist", () =>
    expectRefusal(
      { local_directory_path: "/projects/missing" },
      "local_directory_path",
      'local_directory_path: "/projects/missing" does not exist.',
    ));

  it("refuses a path that is not a directory", () =>
    expectRefusal(
      { local_directory_path: "/projects/plain-file" },
      "local_directory_path",
      'local_directory_path: "/projects/plain-file" is not a directory.',
    ));

  it("refuses a path that escapes the root with ..", () =>
    expectRefusal(
      { local_directory_path: "/projects/../../.." },
      "local_directory_path",
      /^local_directory_path: "\/projects\/\.\.\/\.\.\/\.\." (lies|resolves) outside the local namespace\.$/,
    ));

  it("refuses a path that escapes the root through a symlink", async () => {
    fs.symlinkSync("/etc", path.join(app.fsRoot, "sneaky"));
    await expectRefusal(
      { local_directory_path: "/sneaky" },
      "local_directory_path",
      'local_directory_path: "/sneaky" resolves outside the local namespace.',
    );
  });

  it("refuses a relative path", () =>
    expectRefusal(
      { local_directory_path: "projects/a" },
      "local_directory_path",
      'local_directory_path: "projects/a" must be absolute within the local namespace (start with "/").',
    ));

  it("refuses an unknown directory id", () =>
    expectRefusal(
      { local_directory_path: undefined, local_directory_id: "999999999" },
      "local_directory_id",
      "local_directory_id: no directory with inode 999999999 exists in the local namespace.",
    ));

  it("refuses an unknown bucket", () =>
    expectRefusal(
      { bucket: "no-such-bucket" },
      "bucket",
      'bucket: bucket "no-such-bucket" does not exist at this object store.',
    ));

  it("refuses wrong keys", () =>
    expectRefusal(
      { access_key_id: "WRONGKEY" },
      "access_key_id",
      "access_key_id: the store does not know this Access Key ID (InvalidAccessKeyId).",
    ));

  it("refuses an unreachable endpoint", async () => {
    const closed = await import("../support/app-server").then((m) => m.freePort());
    await expectRefusal(
      { port: closed },
      "object_store_address",
      "object_store_address: the object store could not be reached (ECONNREFUSED).",
    );
  });

  it("refuses plain http to a non-loopback address unless enabled", () =>
    expectRefusal(
      { object_store_address: "http://s3.example.com", port: 80 },
      "object_store_address",
      'object_store_address: plain http:// to "s3.example.com" is refused; use https, or set allow_plain_http to true for this relationship.',
    ));

  it("refuses a CA certificate that is not PEM", () =>
    expectRefusal(
      { ca_certificate: "not a certificate" },
      "ca_certificate",
      "ca_certificate: must be a PEM certificate (-----BEGIN CERTIFICATE-----)",
    ));

  it("refuses a private key pasted with the CA certificate, and shows it nowhere", async () => {
    const pair = selfSignedCertificate();
    await expectRefusal(
      { ca_certificate: `${pair.cert}${pair.key}` },
      "ca_certificate",
      'ca_certificate: block 2 is a PEM "PRIVATE KEY" block; only CERTIFICATE blocks are accepted',
    );
    const listed = await app.call("GET", `${BASE}/`, { token });
    expect(listed.text).not.toContain("PRIVATE KEY");
  });

  it("refuses an HTTPS endpoint whose certificate is not trusted, and accepts it with its CA", async () => {
    const pair = selfSignedCertificate();
    const tlsProxy = new S3Proxy(s3.port, pair);
    await tlsProxy.start();
    try {
      await expectRefusal(
        { object_store_address: "https://127.0.0.1", port: tlsProxy.port },
        "ca_certificate",
        "ca_certificate: the object store's TLS certificate could not be verified (DEPTH_ZERO_SELF_SIGNED_CERT); give the CA that signed it in ca_certificate.",
      );
      const accepted = await create({
        object_store_address: "https://127.0.0.1",
        port: tlsProxy.port,
        ca_certificate: pair.cert,
      });
      expect(accepted.status).toBe(201);
      expect(accepted.json.ca_certificate).toBe(pair.cert);
      const done = await waitForJobEnd(app, token, accepted.json.id);
      expect(done.last_job.outcome).toBe("SUCCEEDED");
      expect(tlsProxy.count((r) => r.method === "PUT")).toBe(2);
    } finally {
      await tlsProxy.stop();
    }
  });

  it("refuses copying into a bucket with Object Lock default retention", async () => {
    proxy.interceptor = (r) =>
      r.method === "GET" && r.query.has("object-lock")
        ? {
            status: 200,
            body: "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
          }
        : undefined;
    await expectRefusal(
      {},
      "bucket",
      `bucket: bucket "${BUCKET}" has Object Lock default retention (COMPLIANCE, 30 days); copying into it is refused because every object written would be locked.`,
    );
  });

  it("refuses unknown fields and wrong types, naming them", async () => {
    await expectRefusal({ bucket_stlye: "BUCKET_STYLE_PATH" }, "body", 'body: unknown field "bucket_stlye"');
    await expectRefusal({ port: "not-a-number" }, "port", "port: must be a number");
    await expectRefusal({ allow_plain_http: "yes" }, "allow_plain_http", "allow_plain_http: must be a boolean");
    await expectRefusal({ bucket: null }, "bucket", "bucket: must be a string");
    await expectRefusal({ bucket_style: "SIDEWAYS" }, "bucket_style", /^bucket_style: /);
    await expectRefusal({ secret_access_key: undefined }, "secret_access_key", "secret_access_key: is required");
  });

  it("refuses a body that is not JSON", async () => {
    const reply = await app.call("POST", `${BASE}/`, { token, body: "{not json" });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      error_class: "validation_error",
      description: "body: the request body is not valid JSON.",
      field: "body",
    });
  });
});

describe("a relationship's life", () => {
  it("creates, runs the first job at once, reports status, repeats without re-sending, and deletes without touching the bucket", async () => {
    const created = await create({ object_folder: "/life/cycle" });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({
      direction: "COPY_TO_OBJECT",
      local_directory_path: "/projects/a/",
      local_directory_id: String(fs.statSync(path.join(app.fsRoot, "projects/a")).ino),
      object_folder: "life/cycle/",
      bucket_style: "BUCKET_STYLE_PATH",
      region: "us-east-1",
      ca_certificate: null,
    });
    expect(created.json).not.toHaveProperty("secret_access_key");

    const first = await waitForJobEnd(app, token, id);
    expect(first.state).toBe("REPLICATION_NOT_RUNNING");
    expect(first.current_job).toBeNull();
    expect(first.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "", read_mode: "stable-read" });
    expect(first.last_job.end_time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first.last_job.job_progress).toMatchObject({
      files_transferred: "2",
      files_total: "2",
      files_remaining: "0",
      bytes_total: "6",
      bytes_transferred: "6",
      bytes_remaining: "0",
      percent_complete: 100,
    });
    const s3Client = inspectionClient(s3.endpoint);
    expect((await listKeys(s3Client, BUCKET, "life/cycle/")).sort()).toEqual([
      "life/cycle/one.txt",
      "life/cycle/sub/two.txt",
    ]);
    expect((await readObject(s3Client, BUCKET, "life/cycle/sub/two.txt")).metadata.sha256).toBe(sha256Hex("two"));

    proxy.reset();
    const repeat = await app.call("POST", `${BASE}/${id}/replicate`, { token });
    expect(repeat.status).toBe(200);
    expect(repeat.json.state).toBe("REPLICATION_RUNNING");
    const second = await waitForJobEnd(app, token, id);
    expect(second.last_job.job_progress).toMatchObject({
      files_unchanged: "2",
      files_transferred: "0",
      bytes_transferred: "0",
    });
    expect(proxy.count((r) => r.method === "PUT")).toBe(0);

    const trackingFile = path.join(app.dataDir, "tracking", `${id}.db`);
    expect(fs.existsSync(trackingFile)).toBe(true);
    const deleted = await app.call("DELETE", `${BASE}/${id}`, { token });
    expect(deleted.status).toBe(204);
    expect(fs.existsSync(trackingFile)).toBe(false);
    expect((await app.call("GET", `${BASE}/${id}`, { token })).status).toBe(404);
    expect(await listKeys(s3Client, BUCKET, "life/cycle/")).toHaveLength(2);
    expect(proxy.count((r) => r.method === "DELETE")).toBe(0);
  });

  it("refuses a second start and a delete while a job runs (409), and stops the job on request", async () => {
    const dir = path.join(app.fsRoot, "slow");
    for (let i = 0; i < 200; i++) {
      fs.mkdirSync(path.join(dir, `d${i % 5}`), { recursive: true });
      fs.writeFileSync(path.join(dir, `d${i % 5}`, `f${i}.txt`), `file ${i}`);
    }
    // Slow enough (several rounds of 400 ms PUTs) to be still running after the checks below, on a busy machine too.
    proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 400 } : undefined);
    const created = await create({ local_directory_path: "/slow" });
    const id = created.json.id;

    const again = await app.call("POST", `${BASE}/${id}/replicate`, { token });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      error_class: "conflict",
      description: "A job of this relationship is already running; wait for it or stop it first.",
    });
    const refusedDelete = await app.call("DELETE", `${BASE}/${id}`, { token });
    expect(refusedDelete.status).toBe(409);
    expect(refusedDelete.json.description).toBe(
      "The relationship is running; stop it first (abort-replication), then delete it.",
    );

    // Let it get going, then check the live progress fields.
    let running;
    for (let i = 0; i < 100; i++) {
      running = (await app.call("GET", `${BASE}/${id}/status`, { token })).json;
      if (
        running.current_job?.job_progress.files_transferred > "0" &&
        running.current_job.job_progress.percent_complete !== null
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(running.state).toBe("REPLICATION_RUNNING");
    expect(running.current_job.job_progress.files_total).toBe("200");
    expect(running.current_job.estimated_end_time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(running.current_job.job_progress.throughput_current).toBeGreaterThan(0);

    const stopAt = Date.now();
    const stop = await app.call("POST", `${BASE}/${id}/abort-replication`, { token });
    expect(stop.status).toBe(200);
    const stopped = await waitForJobEnd(app, token, id, 10_000);
    expect(Date.now() - stopAt).toBeLessThan(3000);
    expect(stopped.last_job.outcome).toBe("ABORTED");
    expect(stopped.last_job.error).toBe("The job was stopped before it finished.");
    expect(Number(stopped.last_job.job_progress.files_transferred)).toBeLessThan(200);

    const copiedByStoppedJob = await trackedPaths(path.join(app.dataDir, "tracking", `${id}.db`));
    expect(copiedByStoppedJob.size).toBe(Number(stopped.last_job.job_progress.files_transferred));
    const notRunning = await app.call("POST", `${BASE}/${id}/abort-replication`, { token });
    expect(notRunning.status).toBe(409);
    expect(notRunning.json.description).toBe("No job of this relationship is running.");

    // The repeat finishes the rest without re-sending what the stopped job copied.
    proxy.interceptor = undefined;
    proxy.reset();
    await app.call("POST", `${BASE}/${id}/replicate`, { token });
    const finished = await waitForJobEnd(app, token, id);
    expect(finished.last_job.outcome).toBe("SUCCEEDED");
    // Uploads that were in flight when the job stopped landed untracked: the repeat adopts them
    // by their sha256 metadata (a HEAD each) instead of sending them again.
    const unchanged = Number(finished.last_job.job_progress.files_unchanged);
    expect(unchanged).toBeGreaterThanOrEqual(Number(stopped.last_job.job_progress.files_transferred));
    expect(proxy.count((r) => r.method === "PUT")).toBe(200 - unchanged);
    const resent = proxy.requests.filter(
      (r) => r.method === "PUT" && copiedByStoppedJob.has(r.path.replace(/^\/[^/]+\/rel-\d+\//, "")),
    );
    expect(resent).toEqual([]);
  });

  it("runs several relationships at once, each on its own job", async () => {
    for (const name of ["par-a", "par-b"]) {
      fs.mkdirSync(path.join(app.fsRoot, name), { recursive: true });
      for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(app.fsRoot, name, `f${i}.txt`), `${name} ${i}`);
    }
    // Each upload takes 1.5 s, so the first job is still running when the second is created, however busy the machine.
    proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 1_500 } : undefined);
    const a = (await create({ local_directory_path: "/par-a" })).json.id;
    const b = (await create({ local_directory_path: "/par-b" })).json.id;
    let together = false;
    for (let i = 0; i < 100 && !together; i++) {
      const [sa, sb] = await Promise.all(
        [a, b].map(async (id) => (await app.call("GET", `${BASE}/${id}/status`, { token })).json),
      );
      together =
        sa.current_job?.job_state === "RUNNING" &&
        sb.current_job?.job_state === "RUNNING" &&
        sa.current_job.job_id !== sb.current_job.job_id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(together).toBe(true);
    for (const id of [a, b]) expect((await waitForJobEnd(app, token, id)).last_job.outcome).toBe("SUCCEEDED");
  });

  it("answers 404 for an unknown relationship", async () => {
    const reply = await app.call("GET", `${BASE}/00000000-0000-0000-0000-000000000000/status`, { token });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({
      error_class: "not_found",
      description: 'No object relationship has the id "00000000-0000-0000-0000-000000000000".',
    });
  });

  it("lists every relationship's status", async () => {
    const reply = await app.call("GET", `${BASE}/status/`, { token });
    expect(reply.status).toBe(200);
    expect(reply.json.length).toBeGreaterThan(0);
    for (const status of reply.json) expect(["REPLICATION_RUNNING", "REPLICATION_NOT_RUNNING"]).toContain(status.state);
  });
});
