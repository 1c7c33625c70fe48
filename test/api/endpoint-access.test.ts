import http from "node:http";
import type { AddressInfo } from "node:net";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, storeFields, waitForJobEnd, type AppServer } from "../support/app-server";
import { startS3Server, type S3TestServer } from "../support/s3-server";

// The app runs without SHIFT_ALLOWED_ENDPOINTS, then with a list narrower than the tests' usual
// loopback (set in its environment, then the web server and worker restarted).
const BASE = "/v3/replication/object-relationships";
const BUCKET = "guarded-bucket";
const SECRET = "local service answer 7f3e9a";
let app: AppServer;
let s3: S3TestServer;
let token: string;
let other: http.Server;
let otherPort: number;
let seq = 0;

beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ allowedEndpoints: null }), startS3Server([BUCKET])]);
  token = await app.login();
  fs.mkdirSync(path.join(app.fsRoot, "data"), { recursive: true });
  fs.writeFileSync(path.join(app.fsRoot, "data/file.txt"), "content");
  // A local service that is not an S3 server, with something to hide.
  other = http.createServer((_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end(SECRET));
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  otherPort = (other.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => other?.close(resolve));
  await Promise.all([app?.stop(), s3?.stop()]);
});

const create = (overrides: Record<string, unknown>) =>
  app.call("POST", `${BASE}/`, {
    token,
    body: {
      local_directory_path: "/data",
      ...storeFields(s3.port, BUCKET),
      object_folder: `f${++seq}`,
      ...overrides,
    },
  });

async function expectRefused(overrides: Record<string, unknown>, description: string) {
  const reply = await create(overrides);
  expect(reply.status).toBe(400);
  expect(reply.json).toMatchObject({ error_class: "validation_error", field: "object_store_address", description });
  expect(reply.text).not.toContain(SECRET);
  expect((await app.call("GET", `${BASE}/`, { token })).json).toHaveLength(0);
}

async function restartWith(allowed: string) {
  app.env.SHIFT_ALLOWED_ENDPOINTS = allowed;
  await app.killWorker();
  await app.restartWebServer();
  app.startWorker();
}

describe("object stores on the host's own network", () => {
  it("are refused when SHIFT_ALLOWED_ENDPOINTS is unset", async () => {
    await expectRefused(
      {},
      "object_store_address: 127.0.0.1 is a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
    );
    await expectRefused(
      { object_store_address: "http://169.254.169.254", port: 80, allow_plain_http: true },
      "object_store_address: 169.254.169.254 is a link-local address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
    );
    await expectRefused(
      { object_store_address: "http://10.0.0.1", port: 9000, allow_plain_http: true },
      "object_store_address: 10.0.0.1 is a private address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
    );
  });

  it("are refused outside a narrower list, and a service that is not S3 is named by its status only", async () => {
    await restartWith(`127.0.0.1:${s3.port},127.0.0.1:${otherPort}`);
    await expectRefused(
      { port: s3.port + 1 },
      "object_store_address: 127.0.0.1 is a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
    );
    await expectRefused(
      { port: otherPort },
      "object_store_address: the endpoint did not answer as an S3 server (HTTP 404).",
    );
  });

  it("fail a job when the store is no longer allowed when it runs", async () => {
    const created = await create({});
    expect(created.status).toBe(201);
    expect((await waitForJobEnd(app, token, created.json.id)).last_job.outcome).toBe("SUCCEEDED");

    await restartWith(`127.0.0.1:${otherPort}`);
    expect((await app.call("POST", `${BASE}/${created.json.id}/replicate`, { token })).status).toBe(200);
    const done = await waitForJobEnd(app, token, created.json.id);
    expect(done.last_job).toMatchObject({ outcome: "FAILED", completed_with_errors: false });
    expect(done.last_job.error).toBe(
      "The object store's address is not allowed: 127.0.0.1 is a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
    );
  });
});
