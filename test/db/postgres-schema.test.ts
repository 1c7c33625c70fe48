// The PostgreSQL schema is the SQLite one's models with another datasource, and its migrations
// build exactly what that schema describes (plus the partial index Prisma cannot express).
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, postgresMigrations } from "@/lib/db/postgres-migrations";
import { POSTGRES_SCHEMA, postgresSchema, SQLITE_SCHEMA } from "@/scripts/postgres-schema";
import { startPostgres, type PostgresServer } from "@/scripts/postgres-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every table's columns, indexes and constraints, as PostgreSQL describes them. */
async function catalog(url: string): Promise<{ columns: string[]; indexes: string[]; constraints: string[] }> {
  const columns = await query<{ d: string }>(
    url,
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`,
  );
  const indexes = await query<{ d: string }>(
    url,
    `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
  );
  const constraints = await query<{ d: string }>(
    url,
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1`,
  );
  return {
    columns: columns.map((r) => r.d),
    indexes: indexes.map((r) => r.d),
    constraints: constraints.map((r) => r.d),
  };
}

describe("the PostgreSQL schema", () => {
  it("is the SQLite schema's models with PostgreSQL's datasource (npm run db:schema writes it)", () => {
    expect(fs.readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(postgresSchema(fs.readFileSync(SQLITE_SCHEMA, "utf8")));
  });

  it("is what its migrations build, with the one-active-job index besides", async () => {
    const migrated = await server.createDatabase("migrated");
    expect(await migratePostgres(migrated)).toEqual(postgresMigrations().map((m) => m.name));
    const described = await server.createDatabase("described");
    const sql = execFileSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules/prisma/build/index.js"),
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        POSTGRES_SCHEMA,
        "--script",
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, SHIFT_DATABASE_URL: described } },
    );
    await query(described, sql);
    const want = await catalog(described);
    const got = await catalog(migrated);
    expect(got.columns).toEqual(want.columns);
    expect(got.constraints).toEqual(want.constraints);
    expect(got.indexes.filter((d) => !d.includes("Job_one_active_per_relationship"))).toEqual(want.indexes);
    expect(got.indexes.find((d) => d.includes("Job_one_active_per_relationship"))).toMatch(
      /CREATE UNIQUE INDEX "Job_one_active_per_relationship" ON public."Job" USING btree \("relationshipId"\) WHERE \(state = ANY \(ARRAY\['QUEUED'::text, 'RUNNING'::text\]\)\)/,
    );
  });
});

describe("migrating PostgreSQL", () => {
  it("applies each migration once, even when several processes start together", async () => {
    const url = await server.createDatabase("together");
    const runs = await Promise.all([migratePostgres(url), migratePostgres(url), migratePostgres(url)]);
    expect(runs.flat()).toEqual(postgresMigrations().map((m) => m.name));
    expect(await migratePostgres(url)).toEqual([]);
    const recorded = await query<{ migration_name: string; finished_at: Date | null }>(
      url,
      `SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(postgresMigrations().map((m) => m.name));
    expect(recorded.every((r) => r.finished_at)).toBe(true);
  });

  it("refuses a migration whose file changed after it was applied, and one that fails leaves nothing behind", async () => {
    const url = await server.createDatabase("changed");
    await migratePostgres(url);
    const [first, ...rest] = postgresMigrations();
    const edited = { ...first!, checksum: "0".repeat(64) };
    await expect(migratePostgres(url, [edited, ...rest])).rejects.toThrow(
      `The database migration ${first!.name} was changed after it was applied; restore its file.`,
    );
    // The same file checked out with CRLF line endings is the same migration, as Prisma has it.
    const crlf = { ...first!, sql: first!.sql.replaceAll("\n", "\r\n") };
    crlf.checksum = crypto.createHash("sha256").update(crlf.sql).digest("hex");
    expect(await migratePostgres(url, [crlf, ...rest])).toEqual([]);
    // A database a newer version migrated is not run by an older one.
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
       VALUES ('newer', 'x', now(), '29991231000000_from_the_future', 1)`,
    );
    await expect(migratePostgres(url)).rejects.toThrow(
      "The database was migrated by a newer version of S3 Shift (migration 29991231000000_from_the_future); run that version or a later one.",
    );
    await query(url, `DELETE FROM "_prisma_migrations" WHERE id = 'newer'`);
    const broken = {
      name: "29990101000000_broken",
      sql: `CREATE TABLE "Half" (id int); SELECT no_such_function();`,
      checksum: "1".repeat(64),
    };
    await expect(migratePostgres(url, [...postgresMigrations(), broken])).rejects.toThrow(
      /^The database migration 29990101000000_broken failed: function no_such_function\(\) does not exist/,
    );
    expect(await query(url, `SELECT 1 FROM pg_tables WHERE tablename = 'Half'`)).toEqual([]);
    expect(
      await query(url, `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`),
    ).toEqual([]);
  });
});
