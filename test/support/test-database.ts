import crypto from "node:crypto";
import pg from "pg";

/**
 * SHIFT_TEST_POSTGRES_URL (set by the suites' global setup when SHIFT_TEST_DATABASE=postgresql):
 * the superuser's address on the cluster started for the run. Each app gets a database of its
 * own there, dropped when it stops; without it, each app has its SQLite file.
 */
export async function testDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const server = process.env.SHIFT_TEST_POSTGRES_URL;
  if (!server) {
    // A PostgreSQL pass that quietly ran on SQLite would pass for the wrong reason.
    if (process.env.SHIFT_TEST_DATABASE === "postgresql")
      throw new Error("SHIFT_TEST_DATABASE=postgresql, but no cluster was started (SHIFT_TEST_POSTGRES_URL is unset)");
    return undefined;
  }
  const name = `shift_${crypto.randomBytes(8).toString("hex")}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
