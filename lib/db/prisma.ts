import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/generated/prisma-pg/client";
import { getConfig } from "@/lib/config";
import { databaseFile } from "@/lib/data-paths";
import { parseDatabaseUrl } from "./database-url";

const globalForPrisma = globalThis as unknown as { shiftPrisma?: PrismaClient };

export function createPrismaClient(databaseFile: string): PrismaClient {
  // The web server and the worker share one SQLite file in WAL mode (set when the database is
  // prepared); a generous busy timeout lets their short write transactions queue instead of failing.
  const adapter = new PrismaBetterSQLite3({ url: `file:${databaseFile}`, timeout: 15_000 });
  return new PrismaClient({ adapter });
}

/**
 * A client of the PostgreSQL schema, typed as the SQLite one: both are generated from the same
 * models (prisma/postgres/schema.prisma is derived from prisma/schema.prisma), so the calls the
 * service makes are the same; the suites run against both databases to hold that true.
 */
export function createPostgresClient(url: string, poolSize = 10): PrismaClient {
  const limitMs = idleInTransactionMs();
  const pool = new pg.Pool({
    connectionString: parseDatabaseUrl(url).href,
    max: poolSize,
    // A link that dies silently is noticed within a lease or so, not after the system's 2 hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: limitMs,
    // A process frozen or cut off inside a transaction must not hold its row locks (a job's lease
    // among them) until TCP gives up: the server ends such a session itself. Set on each new
    // session before its first use, not as a startup option, which connection poolers refuse.
    onConnect: async (client) => {
      await client.query(`SET idle_in_transaction_session_timeout = ${limitMs}`).catch(() => undefined);
    },
  });
  // The adapter ends the pool when the client disconnects, as it would a pool of its own.
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
}

/** Well within a job's lease, so that a lost worker's locks are gone before its job is taken over. */
function idleInTransactionMs(): number {
  return Math.max(1_000, Math.min(10_000, Math.floor(getConfig().workerLeaseMs / 3)));
}

/** One client per process, of the database the configuration names. */
export function db(): PrismaClient {
  const url = getConfig().databaseUrl;
  globalForPrisma.shiftPrisma ??= url ? createPostgresClient(url) : createPrismaClient(databaseFile());
  return globalForPrisma.shiftPrisma;
}
