// A throwaway PostgreSQL cluster from Debian's `postgresql` package, for the tests and the
// benchmarks: initdb in a temporary directory, password authentication, a free port on
// 127.0.0.1, a socket in its own directory. initdb refuses to run as root, so as root the cluster
// belongs to the `postgres` user.
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface PostgresServer {
  /** The superuser's address for `database` on this cluster. */
  url(database?: string): string;
  /** A new, empty database (dropped by `dropDatabase` or with the cluster). */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): void;
}

export function postgresBinaries(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .map(Number)
    .filter((v) => v >= 15)
    .sort((a, b) => b - a);
  return versions.length ? path.join(base, String(versions[0]), "bin") : undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinaries();
  if (!bin) throw new Error("PostgreSQL 15 or newer is not installed (Debian: apt-get install postgresql)");
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-pg-"));
  const dataDir = path.join(dir, "data");
  const password = crypto.randomBytes(18).toString("base64url");
  const pwFile = path.join(dir, "pw");
  fs.writeFileSync(pwFile, password, { mode: 0o600 });
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(dir, uid, gid);
    fs.chownSync(pwFile, uid, gid);
  }
  const as = (command: string, args: string[]) => {
    const run = root
      ? spawnSync("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { encoding: "utf8" })
      : spawnSync(path.join(bin, command), args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr || run.stdout}`);
  };
  as("initdb", [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${pwFile}`,
    "--encoding=UTF8",
    "--locale=C",
  ]);
  const port = await freePort();
  as("pg_ctl", [
    "-D",
    dataDir,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "-o",
    // fsync stays on: the tests measure what a real installation does.
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB`,
    "start",
  ]);
  const url = (database = "postgres") =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const admin = async (sql: string) => {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const checkName = (name: string) => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
  };
  return {
    url,
    async createDatabase(name) {
      checkName(name);
      await admin(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    async dropDatabase(name) {
      checkName(name);
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    stop() {
      try {
        as("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
