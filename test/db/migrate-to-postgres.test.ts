// `npm run db:migrate-to-postgres` moves a working SQLite installation into PostgreSQL: the same
// users, tokens, copies, jobs and audit trail; the stored S3 secrets re-encrypted under
// SHIFT_SECRET_KEY; and a repeat of a copy after the move sends nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Client as PgClient } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAppDatabase } from "../support/app-database";
import { startApp, storeFields, waitForJobEnd, type AppServer } from "../support/app-server";
import { startS3Server, type S3TestServer } from "../support/s3-server";
import { replicationLog } from "../support/worker-scenarios";
import { startPostgres, type PostgresServer } from "@/scripts/postgres-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BASE = "/v3/replication/object-relationships";
const BUCKET = "moving";
const NEW_KEY = "the key every host of the new installation shares";
let pg: PostgresServer;
let s3: S3TestServer;
let before: AppServer | undefined;
let after: AppServer | undefined;
let dataDir: string;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3Server([BUCKET])]);
});
afterAll(async () => {
  await Promise.all([before?.stop(), after?.stop(), s3?.stop()]);
  pg?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function move(env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/migrate-to-postgres.ts")], {
    cwd: ROOT,
    env: { ...process.env, SHIFT_SECRET_KEY: undefined, SHIFT_DATABASE_URL: undefined, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
}

const auditRows = (app: AppServer) =>
  withAppDatabase(app, (database) =>
    database.all(`SELECT id, actor, action, target, detail FROM "AuditEvent" ORDER BY id`),
  );

describe("moving an installation from SQLite to PostgreSQL", () => {
  it("carries everything over, and the copies go on where they were", async () => {
    before = await startApp({ databaseUrl: null, keepData: true });
    dataDir = before.dataDir;
    const token = await before.login();
    const project = path.join(before.fsRoot, "projects/moving");
    fs.mkdirSync(project, { recursive: true });
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(project, `file-${i}.txt`), `contents ${i}\n`);
    const created = await before.call("POST", `${BASE}/`, {
      token,
      body: { local_directory_path: "/projects/moving", object_folder: "moved/", ...storeFields(s3.port, BUCKET) },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect((await waitForJobEnd(before, token, id)).last_job.job_progress.files_transferred).toBe("20");
    const listed = (await before.call("GET", `${BASE}/`, { token })).json;
    const status = (await before.call("GET", `${BASE}/${id}/status`, { token })).json;
    const audit = await auditRows(before);
    const { env } = before;
    // The web server and the worker stopped; the data directory (tracking, logs, key file) stays.
    await before.stop();
    // A pull killed mid-download on this host left temporary files in two directories, noted here.
    fs.writeFileSync(
      path.join(dataDir, "tracking", `${id}.partials`),
      '/\n/deep/dir\n/deep/dir\n{"d":"new\\nline","p":"0a1b2c"}\n{"d":"cut sh',
    );

    const target = await pg.createDatabase("moved");
    const common = { SHIFT_DATA_DIR: dataDir, SHIFT_FS_ROOT: env.SHIFT_FS_ROOT };
    const noKey = move({ ...common, SHIFT_DATABASE_URL: target });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain(
      "db:migrate-to-postgres: set SHIFT_SECRET_KEY: every host of a PostgreSQL installation needs the same key",
    );

    const moved = move({ ...common, SHIFT_DATABASE_URL: target, SHIFT_SECRET_KEY: NEW_KEY });
    expect(moved.stderr).toBe("");
    expect(moved.status).toBe(0);
    expect(moved.stdout).toContain("  Relationship: 1 rows");
    expect(moved.stdout).toContain(`  AuditEvent: ${audit.length} rows`);
    expect(moved.stdout).toContain("  1 stored secrets re-encrypted under SHIFT_SECRET_KEY");
    expect(moved.stdout).toContain("  20 tracked files packed into TrackingPack");
    const logLines = fs
      .readFileSync(path.join(dataDir, "logs/replication", `${id}.log`), "utf8")
      .trim()
      .split("\n");
    expect(moved.stdout).toContain(`  ${logLines.length} replication log lines copied into ReplicationLogLine`);
    expect(moved.stdout + moved.stderr).not.toContain(new URL(target).password);
    // Noted where a worker on any host sweeps them.
    const client = new PgClient({ connectionString: target });
    await client.connect();
    const noted = await client.query(
      `SELECT "relationshipId", "relDir", "prefix" FROM "PartialDirectory" ORDER BY "relDir"`,
    );
    await client.end();
    expect(noted.rows).toEqual([
      { relationshipId: id, relDir: "", prefix: "" },
      { relationshipId: id, relDir: "deep/dir", prefix: "" },
      { relationshipId: id, relDir: "new\nline", prefix: "0a1b2c" },
    ]);

    // Moving again into the same database is refused, and changes nothing.
    const again = move({ ...common, SHIFT_DATABASE_URL: target, SHIFT_SECRET_KEY: NEW_KEY });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /db:migrate-to-postgres: The PostgreSQL database already holds S3 Shift data \(\d+ rows in Role\); give it an empty database, one the service has never started on\./,
    );

    // The key file is gone: only SHIFT_SECRET_KEY can open the secrets now. The tracking file too,
    // as on a host that never had it: the tracking is in PostgreSQL now.
    fs.rmSync(path.join(dataDir, "secret.key"));
    fs.rmSync(path.join(dataDir, "tracking", `${id}.db`));
    after = await startApp({ existing: dataDir, databaseUrl: target, secretKey: NEW_KEY });
    expect(after.output()).not.toContain("SQLite");
    // The bearer token issued before the move still works, and everything reads as it did.
    expect((await after.call("GET", `${BASE}/`, { token })).json).toEqual(listed);
    expect((await after.call("GET", `${BASE}/${id}/status`, { token })).json).toEqual(status);
    expect(await auditRows(after)).toEqual(audit);
    // The repeat reads the store with the re-encrypted secret and finds nothing to send.
    expect((await after.call("POST", `${BASE}/${id}/replicate`, { token })).status).toBe(200);
    const repeated = await waitForJobEnd(after, token, id);
    expect(repeated.last_job.outcome).toBe("SUCCEEDED");
    expect(repeated.last_job.job_progress.files_transferred).toBe("0");
    expect(repeated.last_job.job_progress.files_unchanged).toBe("20");
    // The log reads on: the moved lines, then the repeat's.
    const log = (await replicationLog(after, id)).trim().split("\n");
    expect(log.slice(0, logLines.length)).toEqual(logLines);
    expect(log.slice(logLines.length).map((line) => JSON.parse(line).event)).toContain("job-end");
    // New audit rows are numbered after the moved ones.
    const rows = (await auditRows(after)) as { id: number }[];
    expect(rows.length).toBeGreaterThan(audit.length);
    expect(rows[rows.length - 1]!.id).toBeGreaterThan((audit[audit.length - 1] as { id: number }).id);
  });

  it("refuses while a job runs, and with a secret no key opens", async () => {
    const app = await startApp({ databaseUrl: null, worker: false });
    try {
      const token = await app.login();
      fs.mkdirSync(path.join(app.fsRoot, "p"));
      const created = await app.call("POST", `${BASE}/`, {
        token,
        body: { local_directory_path: "/p", object_folder: "p/", ...storeFields(s3.port, BUCKET) },
      });
      expect(created.status).toBe(201);
      const common = { SHIFT_DATA_DIR: app.dataDir, SHIFT_FS_ROOT: app.fsRoot, SHIFT_SECRET_KEY: NEW_KEY };
      await withAppDatabase(app, (database) =>
        database.run(`UPDATE "Job" SET state = 'RUNNING', "heartbeatAt" = ?`, database.time(new Date())),
      );
      const running = move({ ...common, SHIFT_DATABASE_URL: await pg.createDatabase("busy") });
      expect(running.status).toBe(1);
      expect(running.stderr).toContain(
        "db:migrate-to-postgres: A job is running on this installation; stop the service (npm start, npm run worker) before moving its database.",
      );
      await withAppDatabase(app, (database) => database.run(`UPDATE "Job" SET state = 'ABORTED'`));
      // A key file that is not the one the secrets were encrypted under.
      fs.writeFileSync(path.join(app.dataDir, "secret.key"), Buffer.alloc(32, 9).toString("base64"));
      const unopened = move({ ...common, SHIFT_DATABASE_URL: await pg.createDatabase("unopened") });
      expect(unopened.status).toBe(1);
      expect(unopened.stderr).toContain(
        `db:migrate-to-postgres: The stored secret of relationship ${created.json.id} opens with neither the data directory's key file nor SHIFT_SECRET_KEY; nothing was moved.`,
      );
      // A database that holds someone else's tables is refused before anything is created in it.
      const foreign = await pg.createDatabase("foreign");
      await withAppDatabase({ dataDir: "", env: { ...process.env, SHIFT_DATABASE_URL: foreign } }, (database) =>
        database.run(`CREATE TABLE invoices (id int)`),
      );
      const refused = move({ ...common, SHIFT_DATABASE_URL: foreign });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        "db:migrate-to-postgres: The PostgreSQL database holds tables that are not S3 Shift's (invoices); give it an empty database.",
      );
      const tables = await withAppDatabase(
        { dataDir: "", env: { ...process.env, SHIFT_DATABASE_URL: foreign } },
        (database) =>
          database.all<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`),
      );
      expect(tables).toEqual([{ name: "invoices" }]);
      const left = await withAppDatabase(
        { dataDir: "", env: { ...process.env, SHIFT_DATABASE_URL: pg.url("unopened") } },
        (database) => database.get<{ n: number }>(`SELECT count(*) AS n FROM "User"`),
      );
      expect(left!.n).toBe(0);
    } finally {
      await app.stop();
    }
  });
});
