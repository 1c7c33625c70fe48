// How many work units' writes one PostgreSQL server takes, on this machine: the figure that says
// where the database, not the workers or the store, becomes the limit of one job spread wide.
//
// Each pgbench client plays one running work unit's renewal, as lib/jobs/units writes it twice a
// second: under the unit's lease (its row, guarded by the fencing token) the counters and the done
// mark, and the tracking pack of the range being filled rewritten whole (BENCH_PACK_BYTES, 38 KB by
// default: what a W1 write cost in WAL, 147 KB per 1,000 files at about 520 files a second and two
// writes a second). The real schema, migrated as the service does; fsync on.
//
//   npm run bench:pg-capacity              BENCH_CLIENTS (1,4,16,64), BENCH_SECONDS (20 each)
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migratePostgres } from "@/lib/db/postgres-migrations";
import { postgresBinaries, startPostgres } from "@/scripts/postgres-server";

const CLIENTS = (process.env.BENCH_CLIENTS ?? "1,4,16,64").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PACK_BYTES = Number(process.env.BENCH_PACK_BYTES ?? 38_000);
/** Files one worker places a second on W1 here, and the writes it makes meanwhile. */
const FILES_PER_WORKER_SECOND = 520;
const WRITES_PER_UNIT_SECOND = 2;
const BLOBS = 16;

const SCRIPT = `
\\set unit :client_id
\\set blob random(1, ${BLOBS})
BEGIN;
UPDATE "JobUnit" SET "heartbeatAt" = now(), "leaseExpiresAt" = now() + interval '30 seconds',
  "filesTransferred" = "filesTransferred" + 260, "bytesTransferred" = "bytesTransferred" + 1064960,
  "bytesMoved" = "bytesMoved" + 1064960, "doneThrough" = 'd' || :unit || '/f' || (random() * 1e6)::int,
  "doneBeyond" = '["d/f1","d/f2","d/f3"]'
  WHERE "jobId" = 'capacity-job' AND "index" = :unit AND "leaseToken" = 0;
INSERT INTO "TrackingPack" ("relationshipId", "lowerBound", "digest", "files", "body")
  SELECT 'capacity-rel', 'u' || :unit, md5(random()::text), 1024, body FROM blobs WHERE id = :blob
  ON CONFLICT ("relationshipId", "lowerBound")
  DO UPDATE SET "digest" = EXCLUDED."digest", "files" = EXCLUDED."files", "body" = EXCLUDED."body";
COMMIT;
`;

async function main(): Promise<void> {
  const bin = postgresBinaries();
  if (!bin) throw new Error("PostgreSQL 15 or newer is not installed (Debian: apt-get install postgresql)");
  const server = await startPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-pgcap-"));
  try {
    const url = await server.createDatabase("capacity");
    await migratePostgres(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await seed(client, Math.max(...CLIENTS));
    const scriptFile = path.join(dir, "unit-write.sql");
    fs.writeFileSync(scriptFile, SCRIPT);
    const { hostname, port, username, password, pathname } = new URL(url);
    console.log(
      `${os.cpus().length} cores, PostgreSQL ${(await client.query("SHOW server_version")).rows[0].server_version}, ` +
        `fsync on, a ${PACK_BYTES}-byte pack rewritten with each write, ${SECONDS} s a step`,
    );
    console.log(
      "| units writing at once | writes a second | latency | WAL a write | WAL a second | units it takes at 2 writes/s | files a second (520 a unit) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const clients of CLIENTS) {
      const before = await walPosition(client);
      const output = execFileSync(
        path.join(bin, "pgbench"),
        [
          "-n",
          "-f",
          scriptFile,
          "-c",
          String(clients),
          "-j",
          "2",
          "-T",
          String(SECONDS),
          "-h",
          hostname,
          "-p",
          port,
          "-U",
          decodeURIComponent(username),
          pathname.slice(1),
        ],
        { encoding: "utf8", env: { ...process.env, PGPASSWORD: decodeURIComponent(password) } },
      );
      const wal = await walSince(client, before);
      const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1]);
      const latency = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1]);
      const transactions = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1]);
      const units = tps / WRITES_PER_UNIT_SECOND;
      console.log(
        `| ${clients} | ${tps.toFixed(0)} | ${latency.toFixed(1)} ms | ${(wal / transactions / 1024).toFixed(1)} KiB | ` +
          `${(wal / SECONDS / 1048576).toFixed(1)} MiB | ${units.toFixed(0)} | ${(units * FILES_PER_WORKER_SECOND).toFixed(0)} |`,
      );
    }
    await client.end();
  } finally {
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A relationship, a job with one unit per client (numbered from 1, as pgbench's clients are), and packs of random bytes. */
async function seed(client: pg.Client, units: number): Promise<void> {
  await client.query(
    `INSERT INTO "Relationship" ("id", "direction", "localDirectoryId", "localDirectoryPath", "objectStoreAddress", "port",
       "bucket", "bucketStyle", "objectFolder", "region", "accessKeyId", "secretCiphertext", "createdBy")
     VALUES ('capacity-rel', 'COPY_TO_OBJECT', '1', '/p', '127.0.0.1', 9000, 'b', 'BUCKET_STYLE_PATH', 'f/', 'us-east-1', 'k', 'x', 'bench')`,
  );
  await client.query(
    `INSERT INTO "Job" ("id", "relationshipId", "state", "unitsPlanned") VALUES ('capacity-job', 'capacity-rel', 'RUNNING', true)`,
  );
  for (let index = 0; index <= units; index++)
    await client.query(
      `INSERT INTO "JobUnit" ("jobId", "index", "lowerBound", "state", "leaseExpiresAt") VALUES ('capacity-job', $1, $2, 'RUNNING', now())`,
      [index, `u${index}`],
    );
  await client.query("CREATE TABLE blobs (id int PRIMARY KEY, body bytea NOT NULL)");
  // Random bytes: a real pack (varints, shared prefixes, digests) compresses little.
  for (let id = 1; id <= BLOBS; id++)
    await client.query("INSERT INTO blobs VALUES ($1, $2)", [id, crypto.randomBytes(PACK_BYTES)]);
  await client.query("CHECKPOINT");
}

async function walPosition(client: pg.Client): Promise<string> {
  return (await client.query("SELECT pg_current_wal_lsn() AS lsn")).rows[0].lsn;
}

async function walSince(client: pg.Client, before: string): Promise<number> {
  const { rows } = await client.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS wal", [before]);
  return Number(rows[0].wal);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
