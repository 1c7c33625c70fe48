import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { OBSERVER, storeFields, useAppWithStore } from "../support/app-server";
import { inspectionClient } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "checks-bucket";
const lab = useAppWithStore(BUCKET);

beforeAll(() => {
  fs.mkdirSync(path.join(lab.app.fsRoot, "site/assets"), { recursive: true });
  fs.writeFileSync(path.join(lab.app.fsRoot, "site/assets/logo.svg"), "<svg/>");
  fs.mkdirSync(path.join(lab.app.fsRoot, "twice"));
  fs.writeFileSync(path.join(lab.app.fsRoot, "twice/a.txt"), "a");
  fs.mkdirSync(path.join(lab.app.fsRoot, "restore"));
  fs.mkdirSync(path.join(lab.app.fsRoot, "restore-full"));
});

const body = (fields: Record<string, unknown>) => ({ ...storeFields(lab.proxy.port, BUCKET), ...fields });
const count = async () => (await lab.app.call("GET", `${BASE}/`, { token: lab.token })).json.length as number;

describe("POST …/check runs the checks of a create and creates nothing", () => {
  it("answers ok with no warnings for a body that a create would accept, and stores nothing", async () => {
    const before = await count();
    const reply = await lab.app.call("POST", `${BASE}/check`, {
      token: lab.token,
      body: body({ local_directory_path: "/site", object_folder: "site/" }),
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ ok: true, warnings: [] });
    expect(await count()).toBe(before);
    // It did ask the store: the bucket probe went out.
    expect(lab.proxy.requests.some((r) => r.method === "GET" || r.method === "HEAD")).toBe(true);
  });

  it("answers a problem in the API's error shape, naming the field", async () => {
    const reply = await lab.app.call("POST", `${BASE}/check`, {
      token: lab.token,
      body: body({ local_directory_path: "/site", bucket: "no-such-bucket" }),
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      error_class: "validation_error",
      description: 'bucket: bucket "no-such-bucket" does not exist at this object store.',
      field: "bucket",
    });
  });

  it("refuses an observer (it connects with the credentials it is given)", async () => {
    const observer = await lab.app.login(OBSERVER.username, OBSERVER.password);
    const reply = await lab.app.call("POST", `${BASE}/check`, {
      token: observer,
      body: body({ local_directory_path: "/site" }),
    });
    expect(reply.status).toBe(403);
    expect(reply.json.description).toBe(
      "This action needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.",
    );
  });

  it("is described in the OpenAPI document, and so are the warnings of a create", async () => {
    const doc = (await lab.app.call("GET", "/openapi.json")).json;
    expect(doc.paths[`${BASE}/check`].post.responses["200"]).toBeDefined();
    expect(doc.components.schemas.Warnings.items.properties.code.enum).toEqual([
      "empty_object_folder",
      "duplicate_relationship",
    ]);
    expect(doc.paths[`${BASE}/`].post.responses["201"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/RelationshipCreated",
    );
  });
});

describe("a create warns of a likely mistake and goes on", () => {
  it("the same directory to the same bucket and folder twice: the second create says so", async () => {
    const first = await lab.app.call("POST", `${BASE}/`, {
      token: lab.token,
      body: body({ local_directory_path: "/twice", object_folder: "twice/" }),
    });
    expect(first.status).toBe(201);
    expect(first.json.warnings).toEqual([]);
    const second = await lab.app.call("POST", `${BASE}/`, {
      token: lab.token,
      body: body({ local_directory_path: "/twice/", object_folder: "/twice" }),
    });
    expect(second.status).toBe(201);
    expect(second.json.warnings).toEqual([
      {
        code: "duplicate_relationship",
        message: `relationship ${first.json.id} already copies "/twice/" to bucket "${BUCKET}", folder "twice/" at this object store.`,
      },
    ]);
    // The same body to another folder is no duplicate.
    const other = await lab.app.call("POST", `${BASE}/check`, {
      token: lab.token,
      body: body({ local_directory_path: "/twice", object_folder: "twice-2/" }),
    });
    expect(other.json.warnings).toEqual([]);
  });

  it("a copy from S3 of a folder that holds nothing: the check and the create say so", async () => {
    const pull = body({ direction: "COPY_FROM_OBJECT", local_directory_path: "/restore", object_folder: "nothing/" });
    const message = `folder "nothing/" of bucket "${BUCKET}" holds no objects (or does not exist); copying from it brings nothing.`;
    const checked = await lab.app.call("POST", `${BASE}/check`, { token: lab.token, body: pull });
    expect(checked.json).toEqual({ ok: true, warnings: [{ code: "empty_object_folder", message }] });
    const created = await lab.app.call("POST", `${BASE}/`, { token: lab.token, body: pull });
    expect(created.status).toBe(201);
    expect(created.json.warnings).toEqual([{ code: "empty_object_folder", message }]);

    await inspectionClient(lab.s3.endpoint).send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "full/one.txt", Body: "one" }),
    );
    const full = await lab.app.call("POST", `${BASE}/check`, {
      token: lab.token,
      body: body({ direction: "COPY_FROM_OBJECT", local_directory_path: "/restore-full", object_folder: "full/" }),
    });
    expect(full.json).toEqual({ ok: true, warnings: [] });
  });

  it("a copy from S3 into a directory another copy uses is refused by the check already", async () => {
    const reply = await lab.app.call("POST", `${BASE}/check`, {
      token: lab.token,
      body: body({ direction: "COPY_FROM_OBJECT", local_directory_path: "/restore", object_folder: "full/" }),
    });
    expect(reply.status).toBe(400);
    expect(reply.json.field).toBe("local_directory_path");
    expect(reply.json.description).toMatch(
      /^local_directory_path: "\/restore\/" overlaps "\/restore\/", the directory of a copy from S3/,
    );
  });
});
