import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const POSTGRES_MIGRATIONS = path.join(PROJECT_ROOT, "prisma/postgres/migrations");
/** Any constant: held while migrating, so that servers and workers starting together apply each migration once. */
const MIGRATION_LOCK = 7_305_731_826_105_911;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** As Prisma compares them: the file's checksum, or that of the same file with its line endings switched (a CRLF checkout). */
function matches(recorded: string, migration: Migration): boolean {
  if (recorded === migration.checksum) return true;
  const switched = migration.sql.includes("\r\n")
    ? migration.sql.replaceAll("\r\n", "\n")
    : migration.sql.replaceAll("\n", "\r\n");
  return recorded === sha256(switched);
}

export function postgresMigrations(dir = POSTGRES_MIGRATIONS): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: sha256(sql) };
    });
}

/**
 * Applies the PostgreSQL migrations not yet applied, each in its own transaction, and returns
 * their names. They are recorded in Prisma's own `_prisma_migrations` table and format, so that
 * Prisma's tools read the same history. (Prisma 6.19's migrate cannot run through the
 * PostgreSQL driver adapter: prisma/orm#27403; and there is no schema engine binary here.)
 * A migration already applied whose file has changed since is refused, never applied twice.
 */
export async function migratePostgres(connectionString: string, migrations = postgresMigrations()): Promise<string[]> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 15_000 });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const applied = new Map(
      (
        await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
          `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
        )
      ).rows.map((row) => [row.migration_name, row]),
    );
    const known = new Set(migrations.map((m) => m.name));
    const newer = [...applied.keys()].filter((name) => !known.has(name)).sort();
    if (newer.length > 0)
      throw new Error(
        `The database was migrated by a newer version of S3 Shift (migration ${newer[newer.length - 1]}); run that version or a later one.`,
      );
    const done: string[] = [];
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row) {
        if (!row.finished_at)
          throw new Error(
            `The database migration ${migration.name} started once and did not finish; see its logs in _prisma_migrations.`,
          );
        if (!matches(row.checksum, migration))
          throw new Error(
            `The database migration ${migration.name} was changed after it was applied; restore its file.`,
          );
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [crypto.randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        // A rollback that fails too (the connection lost) must not hide why the migration failed.
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`The database migration ${migration.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.end();
  }
}
