import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getConfig } from "@/lib/config";
import { createPrivateFile, makeDataDirPrivate } from "@/lib/process/private-data";

const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Creates the data directory (0700, its files 0600), applies pending migrations, and turns on WAL
 * (persistent per file).
 */
export function prepareDatabase(): void {
  const config = getConfig();
  makeDataDirPrivate(config);
  fs.mkdirSync(config.fsRoot, { recursive: true });
  createPrivateFile(config.databaseFile);
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SHIFT_DATA_DIR: config.dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const sqlite = new Database(config.databaseFile);
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
}
