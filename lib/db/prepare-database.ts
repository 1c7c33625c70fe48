import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getConfig } from "@/lib/config";
import { dataDirectory, databaseFile } from "@/lib/data-paths";
import { createPrivateFile, makeDataDirPrivate } from "@/lib/process/private-data";

const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Creates the data directory (0700, its files 0600), applies pending migrations, and turns on WAL
 * (persistent per file).
 */
export function prepareDatabase(): void {
  makeDataDirPrivate();
  fs.mkdirSync(getConfig().fsRoot, { recursive: true });
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
