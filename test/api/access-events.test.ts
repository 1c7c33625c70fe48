// Sign-ins, failed sign-ins and refused actions reach the audit trail (console and API alike).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { withAppDatabase } from "../support/app-database";
import { consoleSignIn } from "../support/console-cookie";

let app: AppServer;

interface AuditRow {
  actor: string;
  action: string;
  target: string;
  detail: string;
}

/** The audit rows written since `since` (an id), read from the app's own database. */
function auditSince(since: number): Promise<AuditRow[]> {
  return withAppDatabase(app, (database) =>
    database.all(`SELECT actor, action, target, detail FROM "AuditEvent" WHERE id > ? ORDER BY id`, since),
  );
}

async function lastAuditId(): Promise<number> {
  return withAppDatabase(
    app,
    async (database) => (await database.get<{ id: number }>(`SELECT COALESCE(MAX(id), 0) AS id FROM "AuditEvent"`))!.id,
  );
}

beforeAll(async () => {
  app = await startApp({ worker: false });
});

afterAll(async () => {
  await app?.stop();
});

describe("the audit trail records access", () => {
  it("records a sign-in through the API and one through the console, with the address and the way in", async () => {
    const since = await lastAuditId();
    await app.login("admin", ADMIN_PASSWORD);
    await consoleSignIn(app, OBSERVER.username, OBSERVER.password);
    expect(await auditSince(since)).toEqual([
      {
        actor: "admin",
        action: "session.sign-in",
        target: "admin",
        detail: JSON.stringify({ address: "127.0.0.1", via: "api" }),
      },
      {
        actor: OBSERVER.username,
        action: "session.sign-in",
        target: OBSERVER.username,
        detail: JSON.stringify({ address: "127.0.0.1", via: "console" }),
      },
    ]);
  });

  it("records a failed sign-in, for a known user and for an unknown name alike, and never the password", async () => {
    const since = await lastAuditId();
    const wrong = await app.call("POST", "/v1/session/login", {
      body: { username: "admin", password: "not-the-password" },
    });
    expect(wrong.status).toBe(401);
    const unknown = await app.call("POST", "/v1/session/login", {
      body: { username: "nobody-here", password: "guess-1" },
    });
    expect(unknown.status).toBe(401);
    const rows = await auditSince(since);
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ["session.sign-in-failed", "admin"],
      ["session.sign-in-failed", "nobody-here"],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/not-the-password|guess-1/);
  });

  it("records an action refused for lack of privilege, naming the request, and answers 403 as before", async () => {
    const observerToken = await app.login(OBSERVER.username, OBSERVER.password);
    const since = await lastAuditId();
    const reply = await app.call("POST", "/v3/replication/object-relationships/", {
      token: observerToken,
      body: {},
    });
    expect(reply.status).toBe(403);
    expect(reply.json.description).toBe(
      "This action needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.",
    );
    expect(await auditSince(since)).toEqual([
      {
        actor: OBSERVER.username,
        action: "access.refused",
        target: "POST /v3/replication/object-relationships/",
        detail: JSON.stringify({ privilege: "PRIVILEGE_REPLICATION_OBJECT_WRITE" }),
      },
    ]);
  });
});
