import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storedText, withAppDatabase } from "../support/app-database";
import { OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { startS3Server, S3RVER_KEY, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const SECRET = "S3RVER"; // s3rver's only secret; the canary below proves it never leaks either
let app: AppServer;
let s3: S3TestServer;
let adminToken: string;
let observerToken: string;
let relationshipId: string;

const ROUTES: Array<{ method: string; template: string; write: boolean }> = [
  { method: "GET", template: `${BASE}/`, write: false },
  { method: "POST", template: `${BASE}/`, write: true },
  { method: "GET", template: `${BASE}/status/`, write: false },
  { method: "GET", template: `${BASE}/{id}`, write: false },
  { method: "DELETE", template: `${BASE}/{id}`, write: true },
  { method: "PATCH", template: `${BASE}/{id}`, write: true },
  { method: "POST", template: `${BASE}/{id}/replicate`, write: true },
  { method: "POST", template: `${BASE}/{id}/abort-replication`, write: true },
  { method: "GET", template: `${BASE}/{id}/status`, write: false },
];
const pathOf = (route: (typeof ROUTES)[number]) => route.template.replace("{id}", relationshipId);
const named = (routes: typeof ROUTES) => routes.map((r) => [`${r.method} ${r.template}`, r] as const);

beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["access-bucket"])]);
  adminToken = await app.login();
  observerToken = await app.login(OBSERVER.username, OBSERVER.password);
  fs.mkdirSync(path.join(app.fsRoot, "data"));
  fs.writeFileSync(path.join(app.fsRoot, "data/file.txt"), "content");
  const created = await app.call("POST", `${BASE}/`, { token: adminToken, body: createBody(S3RVER_KEY, SECRET) });
  expect(created.status).toBe(201);
  relationshipId = created.json.id;
  await waitForJobEnd(app, adminToken, relationshipId);
});

afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

describe("access control on every route", () => {
  it.each(named(ROUTES))(
    "%s: 401 without a token, with a bad token, and with a malformed header",
    async (_m, route) => {
      const cases: Array<[Record<string, string>, string]> = [
        [{}, "Sign in first: send a bearer token from POST /v1/session/login."],
        [{ authorization: "Bearer not-a-real-token" }, "The bearer token is invalid or has expired; sign in again."],
        [{ authorization: "Basic YWRtaW46eA==" }, 'The Authorization header must be "Bearer <token>".'],
      ];
      for (const [headers, description] of cases) {
        const response = await fetch(app.url + pathOf(route), { method: route.method, headers });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error_class: "unauthenticated", description });
      }
    },
  );

  it.each(named(ROUTES.filter((r) => r.write)))(
    "%s: 403 for an observer, naming the missing privilege",
    async (_m, route) => {
      const reply = await app.call(route.method, pathOf(route), {
        token: observerToken,
        body: route.method === "POST" || route.method === "PATCH" ? {} : undefined,
      });
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual({
        error_class: "forbidden",
        description:
          "This action needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.",
      });
    },
  );

  it.each(named(ROUTES.filter((r) => !r.write)))("%s: an observer may read", async (_m, route) => {
    const reply = await app.call(route.method, pathOf(route), { token: observerToken });
    expect(reply.status).toBe(200);
  });

  it("refuses a wrong password with one message for unknown users and wrong passwords alike", async () => {
    const wrong = await app.call("POST", "/v1/session/login", {
      body: { username: "admin", password: "wrong-password" },
    });
    const unknown = await app.call("POST", "/v1/session/login", {
      body: { username: "nobody", password: "wrong-password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error_class: "unauthenticated", description: "Invalid username or password." });
    expect(unknown.json).toEqual(wrong.json);
    const missing = await app.call("POST", "/v1/session/login", { body: { username: "admin" } });
    expect(missing.status).toBe(400);
    expect(missing.json.description).toBe("password: is required");
  });

  it("serves an OpenAPI document of every route without signing in", async () => {
    const reply = await app.call("GET", "/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.json.openapi).toBe("3.1.0");
    expect(Object.keys(reply.json.paths)).toEqual(
      expect.arrayContaining([
        "/v1/session/login",
        "/v3/replication/object-relationships/",
        "/v3/replication/object-relationships/status/",
        "/v3/replication/object-relationships/{id}",
        "/v3/replication/object-relationships/{id}/replicate",
        "/v3/replication/object-relationships/{id}/abort-replication",
        "/v3/replication/object-relationships/{id}/status",
      ]),
    );
  });
});

describe("the secret access key", () => {
  it("never appears in any response, log line or stored row, and is encrypted at rest", async () => {
    const canary = "Canary-Secret-9f8e7d6c5b4a";
    // A create that fails at the store (unknown key) still must not echo or log the secret.
    const failed = await app.call("POST", `${BASE}/`, { token: adminToken, body: createBody("UNKNOWNKEY", canary) });
    expect(failed.status).toBe(400);
    const responses = [
      failed.text,
      (await app.call("GET", `${BASE}/`, { token: adminToken })).text,
      (await app.call("GET", `${BASE}/${relationshipId}`, { token: adminToken })).text,
      (await app.call("GET", `${BASE}/status/`, { token: adminToken })).text,
      (await app.call("GET", `${BASE}/${relationshipId}/status`, { token: adminToken })).text,
    ];
    for (const text of responses) {
      expect(text).not.toContain(canary);
      expect(text).not.toMatch(/secret_access_key/);
    }
    // The replication logs: files in the data directory, or rows where the database is shared.
    const logs = app.env.SHIFT_DATABASE_URL
      ? (
          await withAppDatabase(app, (database) =>
            database.all<{ line: string }>(`SELECT line FROM "ReplicationLogLine"`),
          )
        )
          .map((row) => row.line)
          .join("\n")
      : readAll(path.join(app.dataDir, "logs"));
    expect(logs).toContain('"event":"job-start"');
    expect(logs).not.toContain(canary);
    expect(app.output()).not.toContain(canary);
    // The stored form is ciphertext: the plain secret is nowhere in the database files.
    // s3rver's key id is the same word as its secret; as PostgreSQL's rows (JSON) show it, it is taken out first.
    const database = (await storedText(app)).replaceAll(`"accessKeyId":"${S3RVER_KEY}"`, "");
    expect(database).not.toContain(`"${SECRET}"`);
    expect(database).not.toContain(canary);
    expect(database).toMatch(/v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+/);
  });
});

function createBody(accessKeyId: string, secret: string) {
  return {
    local_directory_path: "/data",
    object_store_address: "http://127.0.0.1",
    port: s3.port,
    bucket: "access-bucket",
    bucket_style: "BUCKET_STYLE_PATH",
    access_key_id: accessKeyId,
    secret_access_key: secret,
  };
}

function readAll(dir: string): string {
  let text = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    text += fs.readFileSync(path.join(entry.parentPath, entry.name)).toString("latin1");
  }
  return text;
}

describe("headers and cookies", () => {
  it("sends the security headers with pages and API answers, and never lets an API answer be stored", async () => {
    for (const urlPath of ["/signin", "/openapi.json", "/v3/replication/object-relationships/", "/v1/session/login"]) {
      const response = await fetch(app.url + urlPath, urlPath.startsWith("/v1") ? { method: "POST", body: "{}" } : {});
      expect(response.headers.get("x-frame-options"), urlPath).toBe("DENY");
      expect(response.headers.get("content-security-policy"), urlPath).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options"), urlPath).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), urlPath).toBe("same-origin");
      expect(response.headers.get("x-powered-by"), urlPath).toBeNull();
      if (urlPath.startsWith("/v")) expect(response.headers.get("cache-control"), urlPath).toBe("no-store");
    }
  });

  it("keeps the console's cookies out of scripts' reach and off other sites' requests", async () => {
    const response = await fetch(`${app.url}/api/auth/csrf`);
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    }
  });
});

describe("hostile request bodies", () => {
  const FIELDS = [
    "direction",
    "local_directory_path",
    "local_directory_id",
    "port",
    "ca_certificate",
    "bucket",
    "bucket_style",
    "object_folder",
    "region",
    "access_key_id",
    "allow_plain_http",
    "__proto__",
    "constructor",
    "extra",
  ];
  const canary = "Hostile-Canary-Secret-31415";

  it("get a 400 with the error shape, never a server error and never the secret back (150 generated bodies)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...FIELDS), fc.anything({ maxDepth: 2 }), { maxKeys: 8 }),
        async (fields) => {
          // The endpoint stays on loopback (a closed port), so no generated body can reach out.
          const body = { ...fields, object_store_address: "http://127.0.0.1", port: 9, secret_access_key: canary };
          const reply = await app.call("POST", `${BASE}/`, { token: adminToken, body });
          expect(reply.status).toBe(400);
          expect(reply.json).toMatchObject({ error_class: "validation_error", description: expect.any(String) });
          expect(reply.text).not.toContain(canary);
        },
      ),
      { numRuns: 150 },
    );
    expect(app.output()).not.toContain(canary);
  });

  it("that are not JSON objects get a 400 too", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.json(), fc.constant("{"), fc.constant("null"), fc.constant("[]")),
        async (text) => {
          const reply = await app.call("POST", `${BASE}/`, { token: adminToken, body: text });
          expect(reply.status).toBe(400);
          expect(reply.json.error_class).toBe("validation_error");
        },
      ),
      { numRuns: 80 },
    );
  });
});
