import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

try {
  process.loadEnvFile();
} catch {
  // no .env: the environment alone configures the data directory
}

const dataDir = path.resolve(process.env.SHIFT_DATA_DIR ?? "./data");
// SHIFT_DATABASE_URL (PostgreSQL) or the SQLite file in the data directory, as the service itself chooses.
const postgresUrl = process.env.SHIFT_DATABASE_URL || undefined;

export default defineConfig(
  postgresUrl
    ? {
        schema: "prisma/postgres/schema.prisma",
        migrations: { path: "prisma/postgres/migrations" },
        experimental: { adapter: true },
        engine: "js",
        adapter: async () => new PrismaPg({ connectionString: postgresUrl }),
      }
    : {
        schema: "prisma/schema.prisma",
        migrations: { path: "prisma/migrations" },
        experimental: { adapter: true },
        engine: "js",
        adapter: async () => {
          fs.mkdirSync(dataDir, { recursive: true });
          return new PrismaBetterSQLite3({ url: `file:${path.join(dataDir, "shift.db")}` });
        },
      },
);
