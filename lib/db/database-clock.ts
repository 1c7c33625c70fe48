import { databaseKind } from "./database-url";
import { db } from "./prisma";

let offsetMs = 0;
/** When the offset was last measured (performance.now()), if ever. */
let syncedAt: number | undefined;

/**
 * Reads the database server's clock and keeps this process's offset from it. Workers on several
 * hosts compare lease times that others wrote, so they all count in the database's time; a host
 * whose clock is off by minutes must neither take a live job over nor keep a lost one.
 * SQLite lives on this host: its clock is ours.
 */
export async function syncDatabaseClock({ maxAgeMs = 0 }: { maxAgeMs?: number } = {}): Promise<void> {
  if (databaseKind() !== "postgresql") return;
  if (syncedAt !== undefined && performance.now() - syncedAt < maxAgeMs) return;
  // Milliseconds since the epoch, not a timestamptz: the driver adapter reads a timestamptz's
  // offset as +00:00 whatever the session's time zone, which would be off by the zone's offset.
  const read = () => db().$queryRaw<Array<{ ms: number }>>`
    SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`;
  // The first query may open a connection (TCP, TLS, authentication): only a warm round trip is timed.
  await read();
  const sent = Date.now();
  const [row] = await read();
  const received = Date.now();
  // The server read its clock somewhere in the round trip; its middle is the best guess.
  if (row) offsetMs = Number(row.ms) - (sent + received) / 2;
  syncedAt = performance.now();
}

/** The current time on the database's clock, as last synchronised. */
export function databaseNow(): Date {
  return new Date(Date.now() + offsetMs);
}
