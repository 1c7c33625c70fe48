import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/create-user";
import { assignRole, resetPassword, setUserDisabled } from "@/lib/auth/manage-users";
import { PRIVILEGES, type Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { openAppDatabase, shareAppDatabase, type AppDatabase } from "../support/app-database";
import { startApp, storeFields, type AppServer } from "../support/app-server";
import { startS3Server, type S3TestServer } from "../support/s3-server";

// A change and its audit row are written together: when the audit row cannot be written, the
// change is not made either. The database is made to refuse every audit row to show it.

const BASE = "/v3/replication/object-relationships";
const BUCKET = "audit-bucket";
/** How the refusal reaches the domain function: through SQLite, Prisma names the call; through PostgreSQL, it gives the trigger's message. */
const AUDIT_REFUSED = /auditEvent\.create\(\)|audit row refused/;
const UNEXPECTED = {
  error_class: "internal_error",
  description: "An unexpected error occurred; the server log has the details.",
};

let app: AppServer;
let s3: S3TestServer;
let token: string;
let admin: Principal;
let database: AppDatabase;

beforeAll(async () => {
  // No worker: a created relationship's first job stays queued, so stopping it can be tried.
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server([BUCKET])]);
  token = await app.login();
  fs.mkdirSync(path.join(app.fsRoot, "projects/a"), { recursive: true });
  // The domain functions the console's actions call, on the app's own database.
  shareAppDatabase(app);
  const row = await db().user.findUniqueOrThrow({ where: { username: "admin" } });
  admin = { userId: row.id, username: row.username, privileges: new Set(Object.values(PRIVILEGES)) };
  database = await openAppDatabase(app);
});

afterAll(async () => {
  await database?.close();
  await db().$disconnect();
  await Promise.all([app?.stop(), s3?.stop()]);
});

async function refuseAuditRows(refuse: boolean) {
  if (database.kind === "sqlite")
    await database.run(
      refuse
        ? `CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit row refused'); END`
        : "DROP TRIGGER refuse_audit",
    );
  else if (refuse) {
    await database.run(
      `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit row refused'; END $$`,
    );
    await database.run(`CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEvent" EXECUTE FUNCTION refuse_audit()`);
  } else {
    await database.run(`DROP TRIGGER refuse_audit ON "AuditEvent"`);
    await database.run(`DROP FUNCTION refuse_audit`);
  }
}

const auditCount = async () => (await database.get<{ n: number }>(`SELECT count(*) AS n FROM "AuditEvent"`))!.n;
const create = (folder: string) =>
  app.call("POST", `${BASE}/`, {
    token,
    body: { local_directory_path: "/projects/a", object_folder: folder, ...storeFields(s3.port, BUCKET) },
  });
const jobStates = async (id: string) =>
  (
    await database.all<{ state: string }>(`SELECT state FROM "Job" WHERE "relationshipId" = ? ORDER BY "createdAt"`, id)
  ).map((r) => r.state);

describe("an audit row that cannot be written undoes its change", () => {
  it("for every change made through the API: create, stop, repeat and delete a relationship", async () => {
    const made = await create("kept/");
    expect(made.status).toBe(201);
    const id = made.json.id as string;
    expect(await jobStates(id)).toEqual(["QUEUED"]);
    const audited = await auditCount();
    await refuseAuditRows(true);
    try {
      const refusedCreate = await create("refused/");
      expect(refusedCreate.status).toBe(500);
      expect(refusedCreate.json).toEqual(UNEXPECTED);
      expect((await app.call("GET", `${BASE}/`, { token })).json.map((r: { id: string }) => r.id)).toEqual([id]);

      const refusedStop = await app.call("POST", `${BASE}/${id}/abort-replication`, { token });
      expect(refusedStop.status).toBe(500);
      expect(refusedStop.json).toEqual(UNEXPECTED);
      expect(await jobStates(id)).toEqual(["QUEUED"]);
    } finally {
      await refuseAuditRows(false);
    }

    expect((await app.call("POST", `${BASE}/${id}/abort-replication`, { token })).status).toBe(200);
    expect(await jobStates(id)).toEqual(["ABORTED"]);
    await refuseAuditRows(true);
    try {
      const refusedRepeat = await app.call("POST", `${BASE}/${id}/replicate`, { token });
      expect(refusedRepeat.status).toBe(500);
      expect(refusedRepeat.json).toEqual(UNEXPECTED);
      expect(await jobStates(id)).toEqual(["ABORTED"]);

      const refusedDelete = await app.call("DELETE", `${BASE}/${id}`, { token });
      expect(refusedDelete.status).toBe(500);
      expect(refusedDelete.json).toEqual(UNEXPECTED);
      expect((await app.call("GET", `${BASE}/${id}`, { token })).status).toBe(200);
    } finally {
      await refuseAuditRows(false);
    }
    expect(await auditCount()).toBe(audited + 1);
  });

  it("for every change to users the console makes: create, change role, disable, reset password", async () => {
    const { id } = await createUser({
      input: { username: "audited", password: "password-of-audited", role: "observers" },
      actor: "test",
    });
    const before = await db().user.findUniqueOrThrow({ where: { id } });
    const audited = await auditCount();
    await refuseAuditRows(true);
    try {
      await expect(
        createUser({ input: { username: "unaudited", password: "password-of-unaudited" }, actor: "test" }),
      ).rejects.toThrow(AUDIT_REFUSED);
      expect(await db().user.findUnique({ where: { username: "unaudited" } })).toBeNull();
      await expect(assignRole({ userId: id, roleId: "administrators", actor: admin })).rejects.toThrow(AUDIT_REFUSED);
      await expect(setUserDisabled({ userId: id, disabled: true, actor: admin })).rejects.toThrow(AUDIT_REFUSED);
      await expect(resetPassword({ userId: id, password: "another-password", actor: admin })).rejects.toThrow(
        AUDIT_REFUSED,
      );
    } finally {
      await refuseAuditRows(false);
    }
    // Role, flag, password and the session generation (which ends sessions) are all as they were.
    expect(await db().user.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await auditCount()).toBe(audited);
  });
});
