import { afterAll, beforeAll } from "vitest";
import { db } from "@/lib/db/prisma";
import { migratePostgres } from "@/lib/db/postgres-migrations";
import { startPostgres, type PostgresServer } from "@/scripts/postgres-server";

/**
 * A PostgreSQL cluster of this test file's own (Debian's postgresql, initdb in a temporary
 * directory), with a migrated database that this process's client (lib/db/prisma.ts) uses.
 */
export function useMigratedPostgres(name: string): void {
  let pg: PostgresServer | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase(name);
    await migratePostgres(url);
    process.env.SHIFT_DATABASE_URL = url;
  }, 60_000);
  afterAll(async () => {
    await db().$disconnect();
    pg?.stop();
  });
}

/** A relationship's row, enough for jobs and tracking to hang on. */
export async function newRelationship(direction = "COPY_TO_OBJECT"): Promise<string> {
  const row = await db().relationship.create({
    data: {
      direction,
      localDirectoryId: "1",
      localDirectoryPath: "/projects/p",
      objectStoreAddress: "127.0.0.1",
      port: 9000,
      bucket: "b",
      bucketStyle: "BUCKET_STYLE_PATH",
      objectFolder: "f/",
      region: "us-east-1",
      accessKeyId: "key",
      secretCiphertext: "x",
      createdBy: "test",
    },
  });
  return row.id;
}
