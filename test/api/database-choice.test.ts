// Which database the service uses, said when it starts; a wrong SHIFT_DATABASE_URL refused by name.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
let app: AppServer;

beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

function runWorker(databaseUrl: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-dbchoice-"));
  try {
    return spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/worker.ts")], {
      cwd: ROOT,
      env: { ...process.env, SHIFT_DATA_DIR: dataDir, SHIFT_DATABASE_URL: databaseUrl },
      encoding: "utf8",
      timeout: 60_000,
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("the database", () => {
  it("is named by the worker when it starts, without its password; PostgreSQL leaves no SQLite file behind", async () => {
    const deadline = Date.now() + 30_000;
    while (!/worker: database /.test(app.output()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const url = app.env.SHIFT_DATABASE_URL;
    expect(url ? "postgresql" : "sqlite").toBe(process.env.SHIFT_TEST_DATABASE ?? "sqlite");
    if (url) {
      const { username, password, hostname, port, pathname } = new URL(url);
      expect(app.output()).toContain(`worker: database PostgreSQL (${username}@${hostname}:${port}${pathname})`);
      expect(app.output()).not.toContain(decodeURIComponent(password));
      expect(fs.existsSync(path.join(app.dataDir, "shift.db"))).toBe(false);
    } else {
      expect(app.output()).toContain(`worker: database SQLite (${path.join(app.dataDir, "shift.db")})`);
      expect(fs.existsSync(path.join(app.dataDir, "shift.db"))).toBe(true);
    }
  });

  it("refuses an address that is not PostgreSQL's, by name, without echoing it", () => {
    const mysql = runWorker("mysql://root:hunter22@db.example:3306/shift");
    expect(mysql.status).toBe(1);
    expect(mysql.stderr).toContain(
      'worker: the database cannot be used: SHIFT_DATABASE_URL must start with postgresql:// (it starts with "mysql:"); leave it unset for SQLite',
    );
    expect(mysql.stdout + mysql.stderr).not.toContain("hunter22");
    const noDatabase = runWorker("postgresql://shift:hunter22@127.0.0.1:5432");
    expect(noDatabase.stderr).toContain(
      "worker: the database cannot be used: SHIFT_DATABASE_URL names no database; write postgresql://user:password@host:5432/database",
    );
    expect(runWorker("not an address").stderr).toContain("SHIFT_DATABASE_URL is not an address");
    // A password with an unencoded "/" would be read as a port and a path: refused, and not printed.
    const slashed = runWorker("postgresql://shift:1234/xy@db.example/shift");
    expect(slashed.status).toBe(1);
    expect(slashed.stderr).toContain(
      "worker: the database cannot be used: SHIFT_DATABASE_URL does not parse as user:password@host:port/database; percent-encode any / or @ in the password",
    );
    expect(slashed.stdout + slashed.stderr).not.toContain("xy@");
  });

  it("tells a worker that cannot reach PostgreSQL what failed, and it exits", () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const refused = runWorker("postgresql://shift:hunter22@127.0.0.1:9/shift");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/worker: the database cannot be used: .*ECONNREFUSED 127\.0\.0\.1:9/);
    expect(refused.stdout + refused.stderr).not.toContain("hunter22");
    expect(refused.stdout).toContain("worker: database PostgreSQL (shift@127.0.0.1:9/shift)");
  });
});
