import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

/**
 * The app's database opened beside it, for tests that read what it stored or break a row on
 * purpose: its SQLite file, or its PostgreSQL database (SHIFT_DATABASE_URL in its environment).
 * SQL is written once for both: identifiers in double quotes, `?` placeholders.
 */
export interface AppDatabase {
  kind: "sqlite" | "postgresql";
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  get<T>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
  /** A DateTime column's value for `date`, as Prisma stores it in this database. */
  time(date: Date): unknown;
  close(): Promise<void>;
}

export async function openAppDatabase(app: { dataDir: string; env: NodeJS.ProcessEnv }): Promise<AppDatabase> {
  const url = app.env.SHIFT_DATABASE_URL;
  if (!url) {
    const sqlite = new Database(path.join(app.dataDir, "shift.db"), { timeout: 5_000 });
    // SQLite has no booleans: Prisma keeps them as 1 and 0.
    const bind = (params: unknown[]) => params.map((p) => (typeof p === "boolean" ? Number(p) : p));
    return {
      kind: "sqlite",
      all: async <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...bind(params)) as T[],
      get: async <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).get(...bind(params)) as T | undefined,
      run: async (sql, ...params) => sqlite.prepare(sql).run(...bind(params)).changes,
      // Prisma (6.19, better-sqlite3's adapter) keeps a DateTime in SQLite as ISO 8601 text at +00:00.
      time: (date) => date.toISOString().replace("Z", "+00:00"),
      close: async () => void sqlite.close(),
    };
  }
  const client = new pg.Client({
    connectionString: url,
    // Counts and BigInt columns as numbers, as better-sqlite3 gives them.
    types: { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) },
  });
  await client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const query = (sql: string, params: unknown[]) => client.query(numbered(sql), params);
  return {
    kind: "postgresql",
    all: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql, ...params) => (await query(sql, params)).rowCount ?? 0,
    // Prisma keeps a DateTime in PostgreSQL as a timestamp without time zone, in UTC.
    time: (date) => date.toISOString().replace("Z", ""),
    close: () => client.end(),
  };
}

/** Opens the app's database for one piece of work and closes it after. */
export async function withAppDatabase<T>(
  app: { dataDir: string; env: NodeJS.ProcessEnv },
  work: (database: AppDatabase) => Promise<T>,
): Promise<T> {
  const database = await openAppDatabase(app);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** Points this test process's own database client (lib/db/prisma.ts) at the app's database, before its first use. */
export function shareAppDatabase(app: { dataDir: string; fsRoot: string; env: NodeJS.ProcessEnv }): void {
  process.env.SHIFT_DATA_DIR = app.dataDir;
  process.env.SHIFT_FS_ROOT = app.fsRoot;
  if (app.env.SHIFT_DATABASE_URL) process.env.SHIFT_DATABASE_URL = app.env.SHIFT_DATABASE_URL;
  else delete process.env.SHIFT_DATABASE_URL;
}

/**
 * Everything the app's database holds, as text to search: the SQLite files' bytes (WAL
 * included), or every PostgreSQL table's rows as JSON.
 */
export async function storedText(app: { dataDir: string; env: NodeJS.ProcessEnv }): Promise<string> {
  if (!app.env.SHIFT_DATABASE_URL) {
    let text = "";
    for (const name of fs.readdirSync(app.dataDir))
      if (name.startsWith("shift.db")) text += fs.readFileSync(path.join(app.dataDir, name)).toString("latin1");
    return text;
  }
  return withAppDatabase(app, async (database) => {
    const tables = await database.all<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    let text = "";
    for (const { name } of tables)
      for (const row of await database.all<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${name}" t`))
        text += row.row + "\n";
    return text;
  });
}
