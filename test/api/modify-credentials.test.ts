// Rotating a copy's access key and secret: checked against the store before it is saved, audited,
// never shown, and the copy keeps its tracking state (the next job sends nothing again).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, type RunningS3Server } from "@/lib/demo/s3/server";
import { OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { withAppDatabase } from "../support/app-database";
import { S3RVER_KEY, S3RVER_SECRET } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "rotation";
const NEW_KEY = "ROTATEDKEY";
const NEW_SECRET = "the-rotated-secret-canary";
let app: AppServer;
let store: RunningS3Server;
let storeDirectory: string;
let token: string;
let id: string;
// The store's keys, read at every request: taking one out revokes it at once.
const credentials = [
  { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET },
  { accessKeyId: NEW_KEY, secretAccessKey: NEW_SECRET },
];

const patch = (body: unknown, as = token) => app.call("PATCH", `${BASE}/${id}`, { token: as, body });

function auditRows(action: string): Promise<Array<{ actor: string; target: string; detail: string }>> {
  return withAppDatabase(app, (database) =>
    database.all(`SELECT actor, target, detail FROM "AuditEvent" WHERE action = ? ORDER BY id`, action),
  );
}

beforeAll(async () => {
  storeDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-rotation-"));
  [app, store] = await Promise.all([
    startApp(),
    startS3Server({ directory: storeDirectory, buckets: [BUCKET], credentials, host: "127.0.0.1" }),
  ]);
  token = await app.login();
  const dir = path.join(app.fsRoot, "projects/rotation");
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}`);
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: {
      local_directory_path: "/projects/rotation",
      object_store_address: "http://127.0.0.1",
      port: store.port,
      bucket: BUCKET,
      bucket_style: "BUCKET_STYLE_PATH",
      object_folder: "r/",
      access_key_id: S3RVER_KEY,
      secret_access_key: S3RVER_SECRET,
    },
  });
  expect(created.status).toBe(201);
  id = created.json.id;
  const first = await waitForJobEnd(app, token, id);
  expect(first.last_job.outcome).toBe("SUCCEEDED");
  expect(first.last_job.job_progress.files_transferred).toBe("5");
});

afterAll(async () => {
  await Promise.all([app?.stop(), store?.close()]);
  fs.rmSync(storeDirectory, { recursive: true, force: true });
});

describe("PATCH /v3/replication/object-relationships/{id}", () => {
  it("refuses credentials the store does not accept, and changes nothing", async () => {
    const reply = await patch({ access_key_id: NEW_KEY, secret_access_key: "not-the-secret" });
    expect(reply.status).toBe(400);
    expect(reply.json.error_class).toBe("validation_error");
    expect(reply.text).not.toContain("not-the-secret");
    expect((await app.call("GET", `${BASE}/${id}`, { token })).json.access_key_id).toBe(S3RVER_KEY);
    expect(await auditRows("relationship.modify")).toEqual([]);
  });

  it("asks for the secret with a new access key, and for something to change", async () => {
    const keyOnly = await patch({ access_key_id: NEW_KEY });
    expect(keyOnly.status).toBe(400);
    expect(keyOnly.json).toMatchObject({
      field: "secret_access_key",
      description: "secret_access_key: is required with a new access_key_id (each access key has its own secret)",
    });
    const nothing = await patch({});
    expect(nothing.status).toBe(400);
    expect(nothing.json.description).toBe(
      "body: give at least one setting to change (access_key_id, secret_access_key).",
    );
    const unknown = await patch({ bucket: "elsewhere" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.description).toBe('body: unknown field "bucket"');
  });

  it("is refused to an observer, and answers 404 for an unknown copy", async () => {
    const observer = await app.login(OBSERVER.username, OBSERVER.password);
    expect((await patch({ secret_access_key: NEW_SECRET }, observer)).status).toBe(403);
    const missing = await app.call("PATCH", `${BASE}/00000000-0000-4000-8000-000000000000`, {
      token,
      body: { secret_access_key: NEW_SECRET },
    });
    expect(missing.status).toBe(404);
  });

  it("rotates the key: the next job runs on the new key alone and sends nothing again", async () => {
    const reply = await patch({ access_key_id: NEW_KEY, secret_access_key: NEW_SECRET });
    expect(reply.status).toBe(200);
    expect(reply.json.access_key_id).toBe(NEW_KEY);
    expect(reply.text).not.toContain(NEW_SECRET);
    expect(await auditRows("relationship.modify")).toEqual([
      {
        actor: "admin",
        target: id,
        detail: JSON.stringify({ changed: ["access_key_id", "secret_access_key"], access_key_id: NEW_KEY }),
      },
    ]);

    // The old key is revoked at the store: a job that still used it would fail.
    credentials.splice(0, 1);
    expect((await app.call("POST", `${BASE}/${id}/replicate`, { token })).status).toBe(200);
    const repeat = await waitForJobEnd(app, token, id);
    expect(repeat.last_job.outcome).toBe("SUCCEEDED");
    expect(repeat.last_job.job_progress).toMatchObject({ files_transferred: "0", files_unchanged: "5" });
  });
});
