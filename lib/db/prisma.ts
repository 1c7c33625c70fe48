import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { databaseFile } from "@/lib/data-paths";

const globalForPrisma = globalThis as unknown as { shiftPrisma?: PrismaClient };

export function createPrismaClient(databaseFile: string): PrismaClient {
  // The web server and the worker share one SQLite file in WAL mode (set when the database is
  // prepared); a generous busy timeout lets their short write transactions queue instead of failing.
  const adapter = new PrismaBetterSQLite3({ url: `file:${databaseFile}`, timeout: 15_000 });
  return new PrismaClient({ adapter });
}

/** One client per process. */
export function db(): PrismaClient {
  globalForPrisma.shiftPrisma ??= createPrismaClient(databaseFile());
  return globalForPrisma.shiftPrisma;
}
