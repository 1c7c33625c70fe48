import { startPostgres } from "@/scripts/postgres-server";

// Nothing is shared between test files: each starts its own S3 server, database and directories.
// With SHIFT_TEST_DATABASE=postgresql, the one thing shared is a PostgreSQL cluster, in which each
// app gets a database of its own (test/support/test-database.ts); the test runner may start it
// and pass SHIFT_TEST_POSTGRES_URL instead.
export default async function setup(): Promise<(() => void) | undefined> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  if (process.env.SHIFT_TEST_DATABASE !== "postgresql" || process.env.SHIFT_TEST_POSTGRES_URL) return undefined;
  const server = await startPostgres();
  process.env.SHIFT_TEST_POSTGRES_URL = server.url();
  return () => server.stop();
}
