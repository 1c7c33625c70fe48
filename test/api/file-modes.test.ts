import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "modes-bucket";
const lab = useAppWithStore(BUCKET);

/** Every entry under the data directory but the local namespace, with its permission bits. */
function modesOf(dataDir: string, fsRoot: string): Map<string, { mode: number; kind: "dir" | "file" | "link" }> {
  const found = new Map<string, { mode: number; kind: "dir" | "file" | "link" }>();
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const entry = path.join(dir, name);
      if (entry === fsRoot) continue;
      const stat = fs.lstatSync(entry);
      const kind = stat.isSymbolicLink() ? "link" : stat.isDirectory() ? "dir" : "file";
      found.set(path.relative(dataDir, entry), { mode: stat.mode & 0o777, kind });
      if (kind === "dir") visit(entry);
    }
  };
  found.set(".", { mode: fs.statSync(dataDir).mode & 0o777, kind: "dir" });
  visit(dataDir);
  return found;
}

/**
 * The entries anyone but the owner could read, as "path 0755" lines (empty when all is private).
 * The directories above the local namespace may let others pass through (0711), no more.
 */
function notPrivate(dataDir: string, fsRoot: string): string[] {
  const above = (entry: string) => fsRoot.startsWith(path.resolve(dataDir, entry) + path.sep);
  return [...modesOf(dataDir, fsRoot)]
    .filter(
      ([entry, { mode, kind }]) => kind !== "link" && (mode & 0o077) !== (above(entry) && kind === "dir" ? 0o011 : 0),
    )
    .map(([entry, { mode }]) => `${entry} 0${mode.toString(8)}`);
}

async function copy(direction: "COPY_TO_OBJECT" | "COPY_FROM_OBJECT", localDirectory: string) {
  const created = await lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: {
      direction,
      ...storeFields(lab.proxy.port, BUCKET),
      local_directory_path: localDirectory,
      object_folder: "modes/",
    },
  });
  expect(created.status, created.text).toBe(201);
  const status = await waitForJobEnd(lab.app, lab.token, created.json.id);
  expect(status.last_job.outcome, JSON.stringify(status)).toBe("SUCCEEDED");
  return created.json.id as string;
}

describe("file modes of the data directory", () => {
  it("keeps the data directory closed (0711 above the namespace inside it) and its database, WAL, key, logs and tracking files 0600, while restored files keep the usual mode and can be read by the share's users", async () => {
    const { app } = lab;
    fs.mkdirSync(path.join(app.fsRoot, "source"), { recursive: true });
    fs.writeFileSync(path.join(app.fsRoot, "source/report.txt"), "quarterly numbers");
    const pushed = await copy("COPY_TO_OBJECT", "/source");
    fs.mkdirSync(path.join(app.fsRoot, "restored"));
    const pulled = await copy("COPY_FROM_OBJECT", "/restored");

    const modes = modesOf(app.dataDir, app.fsRoot);
    // With PostgreSQL (SHIFT_DATABASE_URL), the data directory holds no database file, and the
    // replication logs are in the database.
    const shared = !!app.env.SHIFT_DATABASE_URL;
    const databaseFiles = shared ? [] : ["shift.db", "shift.db-wal", "shift.db-shm"];
    const logFiles = shared ? [] : [`logs/replication/${pushed}.log`, `logs/replication/${pulled}.log`];
    for (const expected of [
      ...databaseFiles,
      "secret.key",
      ...logFiles,
      `tracking/${pushed}.db`,
      `tracking/${pulled}.db`,
    ]) {
      expect(modes.has(expected), `${expected} is missing from ${[...modes.keys()].join(", ")}`).toBe(true);
    }
    expect(notPrivate(app.dataDir, app.fsRoot)).toEqual([]);
    expect(modes.get(".")?.mode).toBe(0o711);

    // The share's users read what a copy from S3 brings back: the worker's umask applies there, not 0600.
    const restored = fs.statSync(path.join(app.fsRoot, "restored/report.txt")).mode & 0o777;
    expect(restored).toBe(0o666 & ~process.umask());
    const asNobody = (...args: string[]) => spawnSync("runuser", ["-u", "nobody", "--", ...args], { encoding: "utf8" });
    expect(asNobody("cat", path.join(app.fsRoot, "restored/report.txt")).stdout).toBe("quarterly numbers");
    expect(asNobody("ls", app.dataDir).status).not.toBe(0);
    expect(asNobody("cat", path.join(app.dataDir, "secret.key")).status).not.toBe(0);
  });

  it("tightens a data directory an older version left readable when the web server and the worker start, without following links", async () => {
    const { app } = lab;
    const outside = path.join(app.fsRoot, "not-data.txt");
    fs.writeFileSync(outside, "a share user's file");
    fs.chmodSync(outside, 0o644);
    // As an older version left it: with PostgreSQL, this version keeps no log files there.
    fs.mkdirSync(path.join(app.dataDir, "logs", "replication"), { recursive: true });
    fs.symlinkSync(outside, path.join(app.dataDir, "logs", "link-to-share"));
    fs.chmodSync(app.dataDir, 0o755);
    const databaseFiles = app.env.SHIFT_DATABASE_URL ? [] : ["shift.db", "shift.db-wal"];
    for (const entry of [...databaseFiles, "logs", "logs/replication", "tracking"]) {
      fs.chmodSync(path.join(app.dataDir, entry), entry.includes(".") ? 0o644 : 0o755);
    }
    const tracking = fs
      .readdirSync(path.join(app.dataDir, "tracking"))
      .map((name) => path.join(app.dataDir, "tracking", name));
    for (const file of tracking) fs.chmodSync(file, 0o644);
    expect(notPrivate(app.dataDir, app.fsRoot).length).toBeGreaterThan(5);

    await app.restartWebServer();
    expect(notPrivate(app.dataDir, app.fsRoot)).toEqual([]);
    expect(fs.statSync(outside).mode & 0o777).toBe(0o644);

    fs.chmodSync(path.join(app.dataDir, "tracking"), 0o755);
    await app.killWorker();
    app.startWorker();
    await expect.poll(() => notPrivate(app.dataDir, app.fsRoot), { timeout: 30_000 }).toEqual([]);
    expect(fs.statSync(outside).mode & 0o777).toBe(0o644);
  });
});
