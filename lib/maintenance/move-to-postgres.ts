import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import Database from "better-sqlite3";
import pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { decryptSecret, encryptSecret } from "@/lib/secrets/cipher";
import { JOB_STATES } from "@/lib/replication/job-states";
import { migratePostgres } from "@/lib/db/postgres-migrations";
import { createPostgresClient, createPrismaClient } from "@/lib/db/prisma";
import { partialsJournalFor, trackingFileFor } from "@/lib/data-paths";
import { FilePartialsLedger } from "@/lib/engine/partials-journal";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { SharedTracking } from "@/lib/jobs/shared-tracking";
import { openLog } from "@/lib/replication/open-log";

const PAGE = 1000;

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

type Row = Record<string, unknown>;
type Model =
  | "role"
  | "rolePrivilege"
  | "user"
  | "apiToken"
  | "auditEvent"
  | "relationship"
  | "job"
  | "jobFileError"
  | "jobSkippedEntry"
  | "loginThrottle"
  | "worker"
  | "trackingPack"
  | "trackingUpload"
  | "replicationLogLine"
  | "jobUnit"
  | "partialDirectory";

/**
 * The calls the copy makes, the same on every model: rows pass from one client to the other
 * untouched, so they need no type of their own.
 */
interface AnyDelegate {
  findMany(args: object): Promise<Row[]>;
  createMany(args: { data: Row[] }): Promise<unknown>;
  count(): Promise<number>;
}
const delegate = (client: PrismaClient | Tx, model: Model) => client[model] as unknown as AnyDelegate;

/** Parents before children, so every foreign key finds its row; each read in key order, a page at a time. */
const TABLES: { name: string; model: Model; key: string[] }[] = [
  { name: "Role", model: "role", key: ["id"] },
  { name: "RolePrivilege", model: "rolePrivilege", key: ["roleId", "privilege"] },
  { name: "User", model: "user", key: ["id"] },
  { name: "ApiToken", model: "apiToken", key: ["id"] },
  { name: "AuditEvent", model: "auditEvent", key: ["id"] },
  { name: "Relationship", model: "relationship", key: ["id"] },
  { name: "Job", model: "job", key: ["id"] },
  { name: "JobFileError", model: "jobFileError", key: ["id"] },
  { name: "JobSkippedEntry", model: "jobSkippedEntry", key: ["id"] },
  { name: "LoginThrottle", model: "loginThrottle", key: ["key"] },
  { name: "Worker", model: "worker", key: ["id"] },
];

/**
 * Tables SQLite never fills (the tracking files and log files are packed and copied into them; work
 * units exist only on PostgreSQL):
 * not read from a SQLite file an older version may have made, but PostgreSQL's must be empty too.
 */
const FILLED_FROM_FILES: { name: string; model: Model }[] = [
  { name: "TrackingPack", model: "trackingPack" },
  { name: "TrackingUpload", model: "trackingUpload" },
  { name: "ReplicationLogLine", model: "replicationLogLine" },
  { name: "JobUnit", model: "jobUnit" },
  { name: "PartialDirectory", model: "partialDirectory" },
];

async function copyTable(
  from: PrismaClient,
  to: Tx,
  { model, key }: (typeof TABLES)[number],
  transform: (rows: Row[]) => Row[],
): Promise<number> {
  let copied = 0;
  let skip = 0;
  // One key column: the next page starts after the last key read. A composite key (a small table): offsets.
  let after: unknown;
  for (;;) {
    const rows = await delegate(from, model).findMany({
      take: PAGE,
      orderBy: key.map((k) => ({ [k]: "asc" })),
      ...(key.length === 1 ? { where: after === undefined ? {} : { [key[0]!]: { gt: after } } } : { skip }),
    });
    if (rows.length === 0) return copied;
    await delegate(to, model).createMany({ data: transform(rows) });
    copied += rows.length;
    skip += rows.length;
    after = rows[rows.length - 1]![key[0]!];
  }
}

/** Tables whose ids PostgreSQL numbers from a sequence, which must carry on after the copied ids. */
const SEQUENCED = ["AuditEvent", "JobFileError", "JobSkippedEntry"];

export interface CopyToPostgresInput {
  sqliteFile: string;
  postgresUrl: string;
  /** Keys that may have encrypted the stored S3 secrets (the key file's, SHIFT_SECRET_KEY's). */
  oldKeys: Buffer[];
  /** The key every host of the PostgreSQL installation uses (from SHIFT_SECRET_KEY). */
  newKey: Buffer;
  now?: Date;
}

export interface CopyReport {
  tables: { name: string; rows: number }[];
  secretsReencrypted: number;
  /** Files tracked in the relationships' tracking files, now packed in PostgreSQL. */
  trackedFiles: number;
  /** Lines of the relationships' replication logs, now rows in PostgreSQL. */
  logLines: number;
}

export class MoveRefusedError extends Error {}

/**
 * Copies everything the SQLite database holds into an empty PostgreSQL database, in one
 * PostgreSQL transaction: it is all there, counted table by table against the source, or no row
 * is. It reads a snapshot of the SQLite file (SQLite's online backup), so a write that lands
 * meanwhile cannot leave the copy half old, half new; the file itself is only read. Stored S3
 * secrets are re-encrypted under the key the new installation uses.
 */
export async function copySqliteToPostgres(input: CopyToPostgresInput): Promise<CopyReport> {
  if (!fs.existsSync(input.sqliteFile))
    throw new MoveRefusedError(`There is no SQLite database at ${input.sqliteFile}.`);
  await refuseForeignTables(input.postgresUrl);
  const snapshotDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-move-"));
  const snapshot = path.join(snapshotDir, "shift.db");
  const source = new Database(input.sqliteFile, { readonly: true, fileMustExist: true, timeout: 15_000 });
  try {
    await source.backup(snapshot);
  } finally {
    source.close();
  }
  const from = createPrismaClient(snapshot);
  let to: PrismaClient | undefined;
  try {
    const now = input.now ?? new Date();
    const running = await from.job.count({
      where: {
        state: JOB_STATES.RUNNING,
        OR: [
          { leaseExpiresAt: { gte: now } },
          { heartbeatAt: { gte: new Date(now.getTime() - getConfig().workerLeaseMs) } },
        ],
      },
    });
    if (running > 0)
      throw new MoveRefusedError(
        `${running === 1 ? "A job is" : `${running} jobs are`} running on this installation; stop the service (npm start, npm run worker) before moving its database.`,
      );
    await migratePostgres(input.postgresUrl);
    to = createPostgresClient(input.postgresUrl, 2);
    for (const table of [...TABLES, ...FILLED_FROM_FILES]) {
      const rows = await delegate(to, table.model).count();
      if (rows > 0)
        throw new MoveRefusedError(
          `The PostgreSQL database already holds S3 Shift data (${rows} rows in ${table.name}); give it an empty database, one the service has never started on.`,
        );
    }
    let secretsReencrypted = 0;
    let trackedFiles = 0;
    let logLines = 0;
    const reencrypt = (rows: Row[]) =>
      rows.map((row) => {
        secretsReencrypted++;
        const opened = openSecret(row as { id: string; secretCiphertext: string }, input.oldKeys);
        return { ...row, secretCiphertext: encryptSecret(opened, input.newKey) };
      });
    const trackingCopies = await snapshotTrackingFiles(from, snapshotDir);
    const tables = await to.$transaction(
      async (tx) => {
        const copied: CopyReport["tables"] = [];
        for (const table of TABLES) {
          const rows = await copyTable(from, tx, table, table.model === "relationship" ? reencrypt : (r) => r);
          const inSource = await delegate(from, table.model).count();
          const inTarget = await delegate(tx, table.model).count();
          if (rows !== inSource || inTarget !== inSource)
            throw new Error(
              `${table.name}: SQLite holds ${inSource} rows, ${rows} were copied and PostgreSQL counts ${inTarget}`,
            );
          copied.push({ name: table.name, rows });
        }
        for (const name of SEQUENCED)
          await tx.$executeRawUnsafe(
            `SELECT setval(pg_get_serial_sequence('"${name}"', 'id'), COALESCE((SELECT MAX(id) FROM "${name}"), 0) + 1, false)`,
          );
        trackedFiles = await shareTrackingFiles(tx, trackingCopies);
        logLines = await shareLogFiles(from, tx);
        await sharePartialsJournals(from, tx);
        return copied;
      },
      { timeout: 60 * 60_000, maxWait: 60_000 },
    );
    return { tables, secretsReencrypted, trackedFiles, logLines };
  } finally {
    await Promise.all([from.$disconnect(), to?.$disconnect()]);
    fs.rmSync(snapshotDir, { recursive: true, force: true });
  }
}

/**
 * Each relationship's tracking file becomes its packed rows, so that a worker on any host goes on
 * from it. The files are read from snapshots, taken before PostgreSQL's transaction begins (which
 * must not sit idle): they stay as they were.
 */
async function snapshotTrackingFiles(from: PrismaClient, snapshotDir: string): Promise<Map<string, string>> {
  const copies = new Map<string, string>();
  for (const { id } of await from.relationship.findMany({ select: { id: true } })) {
    const file = trackingFileFor(id);
    if (!fs.existsSync(file)) continue;
    const copy = path.join(snapshotDir, `tracking-${id}.db`);
    const source = new Database(file, { readonly: true, fileMustExist: true, timeout: 15_000 });
    try {
      await source.backup(copy);
    } finally {
      source.close();
    }
    copies.set(id, copy);
  }
  return copies;
}

async function shareTrackingFiles(tx: Tx, copies: Map<string, string>): Promise<number> {
  let files = 0;
  for (const [id, copy] of copies) {
    const store = new TrackingStore(copy);
    try {
      files += await SharedTracking.share(id, store, tx);
    } finally {
      store.close();
    }
  }
  return files;
}

/**
 * The directories where a killed pull left temporary files, noted in a file on this host, are
 * noted where a worker on any host will sweep them.
 */
async function sharePartialsJournals(from: PrismaClient, tx: Tx): Promise<void> {
  for (const { id } of await from.relationship.findMany({ select: { id: true } })) {
    const noted = new Map(
      (await new FilePartialsLedger(partialsJournalFor(id)).listed()).map((n) => [`${n.prefix}/${n.relDir}`, n]),
    );
    if (noted.size > 0)
      await tx.partialDirectory.createMany({
        data: [...noted.values()].map(({ relDir, prefix }) => ({ relationshipId: id, relDir, prefix })),
      });
  }
}

/** Each relationship's replication log becomes its rows, in order, where the console reads them now. */
async function shareLogFiles(from: PrismaClient, tx: Tx): Promise<number> {
  let lines = 0;
  for (const { id } of await from.relationship.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } })) {
    const log = await openLog(id);
    if (!log) continue;
    try {
      let batch: { relationshipId: string; line: string }[] = [];
      const send = async () => {
        if (batch.length > 0) await tx.replicationLogLine.createMany({ data: batch });
        lines += batch.length;
        batch = [];
      };
      const reader = readline.createInterface({ input: log.handle.createReadStream(), crlfDelay: Infinity });
      for await (const line of reader) {
        if (line.trim() === "") continue;
        // PostgreSQL's text holds no NUL: a line that has one (a damaged log) keeps the rest of it.
        batch.push({ relationshipId: id, line: line.replaceAll("\u0000", "") });
        if (batch.length >= PAGE) await send();
      }
      await send();
    } finally {
      await log.handle.close().catch(() => {});
    }
  }
  return lines;
}

/** A database holding tables that are not the service's is someone else's: nothing is created in it. */
async function refuseForeignTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
  await client.connect();
  try {
    const ours = new Set([...TABLES, ...FILLED_FROM_FILES].map((t) => t.name).concat("_prisma_migrations"));
    const { rows } = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
    );
    const foreign = rows.map((r) => r.name).filter((name) => !ours.has(name));
    if (foreign.length > 0)
      throw new MoveRefusedError(
        `The PostgreSQL database holds tables that are not S3 Shift's (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); give it an empty database.`,
      );
  } finally {
    await client.end();
  }
}

function openSecret(row: { id: string; secretCiphertext: string }, keys: Buffer[]): string {
  for (const key of keys) {
    try {
      return decryptSecret(row.secretCiphertext, key);
    } catch {
      // another key, perhaps
    }
  }
  throw new MoveRefusedError(
    `The stored secret of relationship ${row.id} opens with neither the data directory's key file nor SHIFT_SECRET_KEY; nothing was moved.`,
  );
}

/** SHIFT_SECRET_KEY as the service turns it into a key (lib/secrets/secret-key.ts). */
export function keyFromPassphrase(passphrase: string): Buffer {
  return crypto.createHash("sha256").update(passphrase).digest();
}
