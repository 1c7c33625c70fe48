// Every session the service opens on PostgreSQL ends a transaction left idle for a third of a
// job's lease: a worker frozen mid-transaction must not hold a job's row against its take-over.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresClient } from "@/lib/db/prisma";
import { startPostgres, type PostgresServer } from "@/scripts/postgres-server";

let pg: PostgresServer;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

it("sets idle_in_transaction_session_timeout on each session, before its first use, with nothing on stderr", async () => {
  const client = createPostgresClient(await pg.createDatabase("sessions"), 3);
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on("warning", onWarning);
  try {
    // Three sessions at once, each asked on its first query.
    const shown = await Promise.all(
      [1, 2, 3].map(() =>
        client.$transaction(
          (tx) =>
            tx.$queryRaw<
              Array<{ idle_in_transaction_session_timeout: string }>
            >`SHOW idle_in_transaction_session_timeout`,
        ),
      ),
    );
    // The default lease is 30 s: a third of it is 10 s.
    for (const [row] of shown) expect(row!.idle_in_transaction_session_timeout).toBe("10s");
    expect(warnings).toEqual([]);
  } finally {
    process.off("warning", onWarning);
    await client.$disconnect();
  }
});
