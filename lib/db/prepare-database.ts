import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getConfig } from "@/lib/config";
import { dataDirectory, databaseFile } from "@/lib/data-paths";
import { createPrivateFile, makeDataDirPrivate } from "@/lib/process/private-data";
import { parseDatabaseUrl } from "./database-url";
import { migratePostgres } from "./postgres-migrations";

const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Creates the data directory (0700, its files 0600) and applies pending migrations: to
 * PostgreSQL when SHIFT_DATABASE_URL names one, else to the SQLite file, with WAL turned on
 * (persistent per file).
 */
export async function prepareDatabase(): Promise<void> {
  makeDataDirPrivate();
  fs.mkdirSync(getConfig().fsRoot, { recursive: true });
  const url = getConfig().databaseUrl;
  if (url) {
    await migratePostgres(parseDatabaseUrl(url).href);
    return;
  }
  createPrivateFile(databaseFile());
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SHIFT_DATA_DIR: dataDirectory() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const sqlite = new Database(databaseFile());
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
}
