import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "list-status-bucket";
const lab = useAppWithStore(BUCKET);

async function createCopy(name: string): Promise<string> {
  fs.mkdirSync(path.join(lab.app.fsRoot, name), { recursive: true });
  fs.writeFileSync(path.join(lab.app.fsRoot, name, "a.txt"), name);
  const created = await lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: { local_directory_path: `/${name}`, ...storeFields(lab.proxy.port, BUCKET), object_folder: `${name}/` },
  });
  expect(created.status, created.text).toBe(201);
  return created.json.id;
}

async function listed(id: string) {
  const reply = await lab.app.call("GET", `${BASE}/status/`, { token: lab.token });
  expect(reply.status).toBe(200);
  return reply.json.find((status: { id: string }) => status.id === id);
}

describe("last_success_time in a copy's status", () => {
  it("is when the newest succeeded job ended, kept after a later job fails, and empty for a copy that never succeeded", async () => {
    const good = await createCopy("kept");
    const first = await waitForJobEnd(lab.app, lab.token, good);
    expect(first.last_job.outcome).toBe("SUCCEEDED");
    expect(first.last_success_time).toBe(first.last_job.end_time);
    expect(first.last_success_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // The directory goes away: the repeat fails, and the last success is still the first job's end.
    fs.renameSync(path.join(lab.app.fsRoot, "kept"), path.join(lab.app.fsRoot, "kept-moved"));
    expect((await lab.app.call("POST", `${BASE}/${good}/replicate`, { token: lab.token })).status).toBe(200);
    const after = await waitForJobEnd(lab.app, lab.token, good);
    expect(after.last_job.job_id).not.toBe(first.last_job.job_id);
    expect(after.last_job.outcome).toBe("FAILED");
    expect(after.last_success_time).toBe(first.last_job.end_time);
    expect((await listed(good)).last_success_time).toBe(first.last_job.end_time);

    // Every upload is refused: the copy's only job does not succeed.
    lab.proxy.interceptor = (r) =>
      r.method === "PUT"
        ? { status: 403, body: "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>" }
        : undefined;
    const refused = await createCopy("refused");
    const never = await waitForJobEnd(lab.app, lab.token, refused);
    expect(never.last_job.outcome).not.toBe("SUCCEEDED");
    expect(never.last_success_time).toBe("");
    expect((await listed(refused)).last_success_time).toBe("");
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await lab.app.call("GET", "/openapi.json")).json;
    const properties = doc.components.schemas.RelationshipStatus.allOf[1].properties;
    expect(properties.last_success_time).toMatchObject({ type: "string" });
    expect(properties.last_success_time.description).toMatch(/SUCCEEDED/);
  });
});
