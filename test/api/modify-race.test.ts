import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "race-bucket";
const lab = useAppWithStore(BUCKET);

describe("changing a copy's credentials while it is deleted", () => {
  it("answers 404 when the copy goes between the store's check and the write, and saves nothing", async () => {
    fs.mkdirSync(path.join(lab.app.fsRoot, "race"), { recursive: true });
    const created = await lab.app.call("POST", `${BASE}/`, {
      token: lab.token,
      body: { ...storeFields(lab.proxy.port, BUCKET), local_directory_path: "/race", object_folder: "race/" },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    await waitForJobEnd(lab.app, lab.token, id);

    // The check of the new secret is held at the store long enough for a delete to go through.
    let checking!: () => void;
    const checkArrived = new Promise<void>((resolve) => (checking = resolve));
    lab.proxy.interceptor = () => {
      checking();
      return { delayMs: 1_500 };
    };
    const patching = lab.app.call("PATCH", `${BASE}/${id}`, {
      token: lab.token,
      body: { secret_access_key: "a-rotated-secret" },
    });
    await checkArrived;
    expect((await lab.app.call("DELETE", `${BASE}/${id}`, { token: lab.token })).status).toBe(204);

    const patched = await patching;
    expect(patched.status, patched.text).toBe(404);
    expect(patched.json).toEqual({
      error_class: "not_found",
      description: `No object relationship has the id "${id}".`,
    });
    expect((await lab.app.call("GET", `${BASE}/`, { token: lab.token })).json).toEqual([]);
  });
});
