import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decode, encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/create-user";
import { assignRole, resetPassword, setUserDisabled } from "@/lib/auth/manage-users";
import { PRIVILEGES, type Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { shareAppDatabase } from "../support/app-database";
import { startApp, type AppServer } from "../support/app-server";
import { consoleSignIn, cookieValue, SESSION_COOKIE, withCookie } from "../support/console-cookie";

const BASE = "/v3/replication/object-relationships";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const TOKEN_REFUSED = {
  error_class: "unauthenticated",
  description: "The bearer token is invalid or has expired; sign in again.",
};
const SIGN_IN_FIRST = {
  error_class: "unauthenticated",
  description: "Sign in first: send a bearer token from POST /v1/session/login.",
};
const EIGHT_HOURS = 8 * 60 * 60;

let app: AppServer;
let admin: Principal;
let userCount = 0;

beforeAll(async () => {
  app = await startApp({ worker: false });
  // The domain functions the console's actions call, on the app's own database.
  shareAppDatabase(app);
  const row = await db().user.findUniqueOrThrow({ where: { username: "admin" } });
  admin = { userId: row.id, username: row.username, privileges: new Set(Object.values(PRIVILEGES)) };
});

afterAll(async () => {
  await db().$disconnect();
  await app?.stop();
});

/** A fresh user with a role of its own; returns its id and credentials. */
async function newUser(role = "administrators") {
  const user = { username: `user${++userCount}`, password: `password-of-user-${userCount}` };
  const { id } = await createUser({ input: { ...user, role }, actor: "test" });
  return { id, ...user };
}

/** A write route that reaches its domain function only with the write privilege: 404 then, 403 without it. */
const replicate = (token: string) => app.call("POST", `${BASE}/${UNKNOWN_ID}/replicate`, { token });
const listWithCookie = (session: string) => fetch(`${app.url}${BASE}/`, withCookie(session));
const sessionOf = async (session: string) => (await fetch(`${app.url}/api/auth/session`, withCookie(session))).json();

describe("bearer tokens", () => {
  it("take their privileges from the database at each request: a privilege taken from the role is gone at the next one", async () => {
    await db().role.create({
      data: {
        id: "operators",
        name: "Operators",
        privileges: {
          create: [{ privilege: PRIVILEGES.REPLICATION_READ }, { privilege: PRIVILEGES.REPLICATION_WRITE }],
        },
      },
    });
    const user = await newUser("operators");
    const token = await app.login(user.username, user.password);
    expect((await replicate(token)).status).toBe(404);
    await db().rolePrivilege.delete({
      where: { roleId_privilege: { roleId: "operators", privilege: PRIVILEGES.REPLICATION_WRITE } },
    });
    const refused = await replicate(token);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      error_class: "forbidden",
      description:
        "This action needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.",
    });
  });

  it.each([
    ["a role change", (id: string) => assignRole({ userId: id, roleId: "observers", actor: admin })],
    ["a password reset", (id: string) => resetPassword({ userId: id, password: "a-new-password-1", actor: admin })],
    ["disabling", (id: string) => setUserDisabled({ userId: id, disabled: true, actor: admin })],
  ])("end at %s: the replayed token gets 401", async (_name, change) => {
    const user = await newUser();
    const token = await app.login(user.username, user.password);
    expect((await replicate(token)).status).toBe(404);
    await change(user.id);
    const replayed = await replicate(token);
    expect(replayed.status).toBe(401);
    expect(replayed.json).toEqual(TOKEN_REFUSED);
  });

  it("a demoted user signs in again with the new role's privileges only", async () => {
    const user = await newUser();
    await assignRole({ userId: user.id, roleId: "observers", actor: admin });
    const token = await app.login(user.username, user.password);
    expect((await replicate(token)).status).toBe(403);
    expect((await app.call("GET", `${BASE}/`, { token })).status).toBe(200);
  });

  it("POST /v1/session/logout revokes the calling token only; a replay gets 401", async () => {
    const user = await newUser();
    const [token, other] = [
      await app.login(user.username, user.password),
      await app.login(user.username, user.password),
    ];
    const logout = await app.call("POST", "/v1/session/logout", { token });
    expect(logout.status).toBe(204);
    expect(await replicate(token)).toMatchObject({ status: 401, json: TOKEN_REFUSED });
    expect(await app.call("POST", "/v1/session/logout", { token })).toMatchObject({ status: 401, json: TOKEN_REFUSED });
    expect((await replicate(other)).status).toBe(404);
    expect(await app.call("POST", "/v1/session/logout")).toMatchObject({ status: 401, json: SIGN_IN_FIRST });
  });

  it("s3shift logout revokes the stored token on the server and removes it", async () => {
    const user = await newUser();
    const configHome = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-logout-"));
    try {
      const cli = (args: string[]) => runCli(configHome, args, { S3SHIFT_PASSWORD: user.password });
      expect((await cli(["login", "--username", user.username])).code).toBe(0);
      const tokenFile = path.join(configHome, "s3shift/token.json");
      const { bearer_token: token } = JSON.parse(fs.readFileSync(tokenFile, "utf8")) as { bearer_token: string };
      const out = await cli(["logout"]);
      expect(out).toMatchObject({ code: 0, stderr: `signed out of ${app.url}\n` });
      expect(fs.existsSync(tokenFile)).toBe(false);
      expect(await replicate(token)).toMatchObject({ status: 401, json: TOKEN_REFUSED });
      const again = await cli(["logout"]);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/^s3shift: not signed in: run "s3shift login" first/);
    } finally {
      fs.rmSync(configHome, { recursive: true, force: true });
    }
  });
});

describe("console sessions", () => {
  it("take their privileges from the database: a role change ends the session, and the replayed cookie is refused", async () => {
    const user = await newUser();
    const cookie = await consoleSignIn(app, user.username, user.password);
    expect((await listWithCookie(cookie)).status).toBe(200);
    expect(await sessionOf(cookie)).toMatchObject({ privileges: expect.arrayContaining([PRIVILEGES.USER_ADMIN]) });
    await assignRole({ userId: user.id, roleId: "observers", actor: admin });
    const replayed = await listWithCookie(cookie);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual(SIGN_IN_FIRST);
    expect(await sessionOf(cookie)).toEqual({});
  });

  it.each([
    ["a password reset", (id: string) => resetPassword({ userId: id, password: "a-new-password-2", actor: admin })],
    ["disabling", (id: string) => setUserDisabled({ userId: id, disabled: true, actor: admin })],
  ])("end at %s: the replayed cookie is refused", async (_name, change) => {
    const user = await newUser();
    const cookie = await consoleSignIn(app, user.username, user.password);
    expect((await listWithCookie(cookie)).status).toBe(200);
    await change(user.id);
    expect((await listWithCookie(cookie)).status).toBe(401);
    expect(await sessionOf(cookie)).toEqual({});
  });

  it("end at sign-out: the replayed cookie and the user's bearer tokens are refused", async () => {
    const user = await newUser();
    const token = await app.login(user.username, user.password);
    const cookie = await consoleSignIn(app, user.username, user.password);
    const csrf = await fetch(`${app.url}/api/auth/csrf`, withCookie(cookie));
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const signOut = await fetch(`${app.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: `${csrfCookie}; ${SESSION_COOKIE}=${cookie}`,
      },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(signOut.status).toBe(200);
    const replayed = await listWithCookie(cookie);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual(SIGN_IN_FIRST);
    expect(await sessionOf(cookie)).toEqual({});
    expect(await replicate(token)).toMatchObject({ status: 401, json: TOKEN_REFUSED });
    // Signing in again works as before.
    expect((await listWithCookie(await consoleSignIn(app, user.username, user.password))).status).toBe(200);
  });

  it("last 8 hours from sign-in, however they are used", async () => {
    const user = await newUser();
    const { sessionGeneration } = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    const secret = app.env.NEXTAUTH_SECRET!;
    const now = Math.floor(Date.now() / 1000);
    // A cookie as the server issues it, signed in at `signedInAt`, whose token itself has not expired.
    const forged = (signedInAt: number) =>
      encode({
        secret,
        maxAge: EIGHT_HOURS,
        token: { sub: user.id, name: user.username, gen: sessionGeneration, signedInAt },
      });

    expect((await listWithCookie(await forged(now - 60))).status).toBe(200);
    const stale = await forged(now - EIGHT_HOURS - 60);
    const refused = await listWithCookie(stale);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(SIGN_IN_FIRST);
    expect(await sessionOf(stale)).toEqual({});

    // Reading the session re-issues the cookie, but its expiry stays 8 h after sign-in.
    const signedInAt = now - 7 * 60 * 60;
    const renewed = await fetch(`${app.url}/api/auth/session`, withCookie(await forged(signedInAt)));
    const body = (await renewed.json()) as { expires: string };
    expect(Date.parse(body.expires) / 1000).toBe(signedInAt + EIGHT_HOURS);
    const reissued = cookieValue(renewed, SESSION_COOKIE);
    expect(reissued).toBeDefined();
    const claims = await decode({ secret, token: reissued! });
    expect(claims?.exp).toBeLessThanOrEqual(signedInAt + EIGHT_HOURS);
    expect(claims?.signedInAt).toBe(signedInAt);
  });
});

describe("requests signed in with the console's cookie", () => {
  const CROSS_SITE = {
    error_class: "forbidden",
    description:
      "Requests signed in with the console's session must come from the console's own pages; scripts send a bearer token from POST /v1/session/login.",
  };
  const NOT_JSON = {
    error_class: "forbidden",
    description:
      "Requests signed in with the console's session must send their body as Content-Type: application/json.",
  };
  const post = (headers: Record<string, string>) => ({ method: "POST", body: "{}", headers });

  it("are refused unless they come from the console's origin, and a change unless it is JSON; bearer tokens are unaffected", async () => {
    const user = await newUser();
    const cookie = `${SESSION_COOKIE}=${await consoleSignIn(app, user.username, user.password)}`;
    const ownOrigin = new URL(app.url).origin;
    const otherOrigin = ownOrigin.replace(/:\d+$/, ":1");
    const cases: Array<[string, RequestInit, number, unknown]> = [
      [
        "a same-site page's no-cors POST",
        post({ cookie, "sec-fetch-site": "same-site", origin: otherOrigin, "content-type": "text/plain" }),
        403,
        CROSS_SITE,
      ],
      [
        "a same-site page's JSON POST",
        post({ cookie, "sec-fetch-site": "same-site", origin: otherOrigin, "content-type": "application/json" }),
        403,
        CROSS_SITE,
      ],
      ["a cross-site page's GET", { headers: { cookie, "sec-fetch-site": "cross-site" } }, 403, CROSS_SITE],
      [
        "another origin, without Sec-Fetch-Site",
        post({ cookie, origin: otherOrigin, "content-type": "application/json" }),
        403,
        CROSS_SITE,
      ],
      ["neither Origin nor Sec-Fetch-Site", post({ cookie, "content-type": "application/json" }), 403, CROSS_SITE],
      [
        "a same-origin text/plain POST",
        post({ cookie, "sec-fetch-site": "same-origin", "content-type": "text/plain" }),
        403,
        NOT_JSON,
      ],
      [
        "a same-origin form POST",
        post({ cookie, origin: ownOrigin, "content-type": "application/x-www-form-urlencoded" }),
        403,
        NOT_JSON,
      ],
      // "none" is the user opening the address: fine for reading, never for a change.
      [
        "a POST that says no page made it",
        post({ cookie, "sec-fetch-site": "none", "content-type": "application/json" }),
        403,
        CROSS_SITE,
      ],
    ];
    for (const [name, init, status, body] of cases) {
      const reply = await fetch(`${app.url}${BASE}/`, init);
      expect(reply.status, name).toBe(status);
      expect(await reply.json(), name).toEqual(body);
    }
    // The console's own requests pass: a same-origin JSON POST reaches validation, a GET is answered.
    const own = await fetch(
      `${app.url}${BASE}/`,
      post({ cookie, "sec-fetch-site": "same-origin", "content-type": "application/json" }),
    );
    expect(own.status).toBe(400);
    expect((await fetch(`${app.url}${BASE}/`, { headers: { cookie, origin: ownOrigin } })).status).toBe(200);
    // An API address opened in the browser's address bar is read.
    expect((await fetch(`${app.url}${BASE}/`, { headers: { cookie, "sec-fetch-site": "none" } })).status).toBe(200);
    // A bearer token needs neither.
    const token = await app.login(user.username, user.password);
    const scripted = await fetch(
      `${app.url}${BASE}/`,
      post({ authorization: `Bearer ${token}`, "sec-fetch-site": "cross-site", "content-type": "text/plain" }),
    );
    expect(scripted.status).toBe(400);
  });

  it("reach a server action only from the console's origin", async () => {
    const cookie = `${SESSION_COOKIE}=${await consoleSignIn(app, "admin", app.env.SHIFT_ADMIN_PASSWORD!)}`;
    const actionId = actionIdOf("createUserAction");
    const createAdministrator = (username: string, site: string) =>
      fetch(`${app.url}/admin/users`, {
        method: "POST",
        headers: {
          cookie,
          "next-action": actionId,
          accept: "text/x-component",
          "content-type": "text/plain;charset=UTF-8",
          origin: new URL(app.url).origin,
          "sec-fetch-site": site,
        },
        body: JSON.stringify([{ username, password: "planted-password-1", role: "administrators" }]),
      });
    // What a form or fetch on another port of this host sends: the Origin check of Next.js alone would let it through.
    const refused = await createAdministrator("planted-admin", "same-site");
    expect(await refused.text()).toContain("This action must be sent from the console's own pages.");
    expect(await db().user.findUnique({ where: { username: "planted-admin" } })).toBeNull();
    // The same request from the console's own page is carried out.
    await createAdministrator("console-admin", "same-origin").then((r) => r.text());
    expect(await db().user.findUnique({ where: { username: "console-admin" } })).not.toBeNull();
  });

  it("refuse an argument of the wrong shape, naming the field, and change nothing", async () => {
    const cookie = `${SESSION_COOKIE}=${await consoleSignIn(app, "admin", app.env.SHIFT_ADMIN_PASSWORD!)}`;
    const actionId = actionIdOf("setDisabledAction");
    const user = await newUser("observers");
    // What a page other than the console's own form could send: a string where a flag belongs.
    const reply = await fetch(`${app.url}/admin/users`, {
      method: "POST",
      headers: {
        cookie,
        "next-action": actionId,
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
        origin: new URL(app.url).origin,
        "sec-fetch-site": "same-origin",
      },
      body: JSON.stringify([{ userId: user.id, disabled: "yes" }]),
    });
    expect(await reply.text()).toContain(
      '{"ok":false,"message":"disabled: must be a boolean","field":{"name":"disabled","message":"must be a boolean"}}',
    );
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).disabled).toBe(false);
  });
});

/** The id Next.js gave a server action in this build. */
function actionIdOf(exportedName: string): string {
  const manifest = JSON.parse(
    fs.readFileSync(path.resolve(import.meta.dirname, "../../.next/server/server-reference-manifest.json"), "utf8"),
  ) as {
    node: Record<string, { exportedName: string }>;
  };
  return Object.entries(manifest.node).find(([, action]) => action.exportedName === exportedName)![0];
}

function runCli(
  configHome: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = path.resolve(import.meta.dirname, "../../bin/s3shift.js");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "--host", app.url, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: configHome, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
