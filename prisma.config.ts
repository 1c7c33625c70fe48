import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

try {
  process.loadEnvFile();
} catch {
  // no .env: the environment alone configures the data directory
}

const dataDir = path.resolve(process.env.SHIFT_DATA_DIR ?? "./data");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    return new PrismaBetterSQLite3({ url: `file:${path.join(dataDir, "shift.db")}` });
  },
});
