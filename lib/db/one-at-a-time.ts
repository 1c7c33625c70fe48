import type { Prisma } from "@/generated/prisma/client";
import { databaseKind } from "./database-url";

/**
 * Makes the transactions that call it with the same `name` run one at a time, for checks that
 * read other rows before they write (two overlapping copies must not both be created).
 * SQLite needs nothing: its transactions that write take turns already. PostgreSQL (read
 * committed) lets two see neither's new row, so a transaction-scoped advisory lock on the name
 * is taken first, and held until the transaction ends.
 */
export async function oneAtATime(tx: Prisma.TransactionClient, name: string): Promise<void> {
  if (databaseKind() !== "postgresql") return;
  await tx.$queryRaw`SELECT 1 AS held FROM (SELECT pg_advisory_xact_lock(hashtext(${name}))) AS lock`;
}
