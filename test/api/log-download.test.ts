import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";
import { withAppDatabase } from "../support/app-database";
import { consoleSignIn, withCookie } from "../support/console-cookie";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "log-download";
const lab = useAppWithStore(BUCKET);
/** Where the database is PostgreSQL, shared by several hosts, the log is kept in it, not in a file. */
const shared = process.env.SHIFT_TEST_DATABASE === "postgresql";
let id: string;
let session: string;
let logFile: string;

beforeAll(async () => {
  fs.mkdirSync(path.join(lab.app.fsRoot, "logs-here"), { recursive: true });
  const created = await lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: { ...storeFields(lab.proxy.port, BUCKET), local_directory_path: "/logs-here", object_folder: "l/" },
  });
  id = created.json.id;
  await waitForJobEnd(lab.app, lab.token, id);
  session = await consoleSignIn(lab.app, "admin", ADMIN_PASSWORD);
  logFile = path.join(lab.app.dataDir, "logs", "replication", `${id}.log`);
  expect(fs.existsSync(logFile)).toBe(!shared);
});

const download = () => fetch(`${lab.app.url}/copies/${id}/log`, withCookie(session));

describe.runIf(shared)("the replication log kept in PostgreSQL", () => {
  it("downloads whole, in order, a page of lines after another, and the copy's page shows its last lines", async () => {
    // Lines of an earlier job, more than a page of them, then three more jobs of the copy.
    await withAppDatabase(lab.app, (database) =>
      database.run(
        `INSERT INTO "ReplicationLogLine" ("relationshipId", line)
         SELECT ?, '{"job":"earlier","event":"' || CASE WHEN n = 1 THEN 'job-start' WHEN n = 2500 THEN 'job-end' ELSE 'retry' END || '","n":' || n || '}'
         FROM generate_series(1, 2500) AS n`,
        id,
      ),
    );
    for (let i = 0; i < 3; i++) {
      expect((await lab.app.call("POST", `${BASE}/${id}/replicate`, { token: lab.token })).status).toBe(200);
      await waitForJobEnd(lab.app, lab.token, id);
    }
    const reply = await download();
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const lines = (await reply.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; job: string; n?: number });
    expect(lines.filter((l) => l.event === "job-start")).toHaveLength(5);
    expect(lines.filter((l) => l.event === "job-end")).toHaveLength(5);
    expect(lines.filter((l) => l.job === "earlier").map((l) => l.n)).toEqual(
      Array.from({ length: 2500 }, (_, i) => i + 1),
    );
    // Each job's lines together, each starting with its start and ending with its end.
    const jobs = [...new Set(lines.map((l) => l.job))];
    expect(jobs).toHaveLength(5);
    for (const job of jobs) {
      const own = lines.filter((l) => l.job === job);
      expect(own[0]!.event).toBe("job-start");
      expect(own[own.length - 1]!.event).toBe("job-end");
    }
    const page = await fetch(`${lab.app.url}/copies/${id}`, withCookie(session));
    expect(await page.text()).toContain("The job succeeded.");
    expect(fs.existsSync(path.join(lab.app.dataDir, "logs", "replication", `${id}.log`))).toBe(false);
  });
});

describe.skipIf(shared)("the replication log's download when the log is not a plain file", () => {
  it("refuses a log replaced by a link (never following it), saying what is wrong", async () => {
    fs.renameSync(logFile, `${logFile}.kept`);
    fs.symlinkSync("/etc/passwd", logFile);
    try {
      const reply = await download();
      const text = await reply.text();
      expect(reply.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error_class: "internal_error",
        description:
          "The replication log of this copy cannot be read (ELOOP); the service's data directory needs looking at.",
      });
      expect(text).not.toContain("root:");
    } finally {
      fs.unlinkSync(logFile);
      fs.renameSync(`${logFile}.kept`, logFile);
    }
  });

  it("refuses a log replaced by a directory before the answer starts, not halfway through it", async () => {
    fs.renameSync(logFile, `${logFile}.kept`);
    fs.mkdirSync(logFile);
    try {
      const reply = await download();
      expect(reply.status).toBe(500);
      expect((await reply.json()).description).toBe(
        "The replication log of this copy cannot be read (not a regular file); the service's data directory needs looking at.",
      );
    } finally {
      fs.rmdirSync(logFile);
      fs.renameSync(`${logFile}.kept`, logFile);
    }
    const whole = await download();
    expect(whole.status).toBe(200);
    expect(await whole.text()).toContain('"job-end"');
  });

  it("refuses a FIFO in the log's place at once, and the copy's page still shows, saying the log cannot be read", async () => {
    fs.renameSync(logFile, `${logFile}.kept`);
    execFileSync("mkfifo", [logFile]);
    try {
      // Opening a FIFO for reading would wait for a writer: the answer comes at once instead.
      const reply = await download();
      expect(reply.status).toBe(500);
      expect((await reply.json()).description).toBe(
        "The replication log of this copy cannot be read (not a regular file); the service's data directory needs looking at.",
      );
      const page = await fetch(`${lab.app.url}/copies/${id}`, withCookie(session));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("The replication log of this copy cannot be read (not a regular file)");
    } finally {
      fs.unlinkSync(logFile);
      fs.renameSync(`${logFile}.kept`, logFile);
    }
  });
});
