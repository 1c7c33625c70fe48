import { databaseKind } from "./database-url";
import { db } from "./prisma";

let offsetMs = 0;

/**
 * Reads the database server's clock and keeps this process's offset from it. Workers on several
 * hosts compare lease times that others wrote, so they all count in the database's time; a host
 * whose clock is off by minutes must neither take a live job over nor keep a lost one.
 * SQLite lives on this host: its clock is ours.
 */
export async function syncDatabaseClock(): Promise<void> {
  if (databaseKind() !== "postgresql") return;
  const sent = Date.now();
  const [row] = await db().$queryRaw<Array<{ now: Date }>>`SELECT clock_timestamp() AS now`;
  const received = Date.now();
  // The server read its clock somewhere in the round trip; its middle is the best guess.
  if (row) offsetMs = row.now.getTime() - (sent + received) / 2;
}

/** The current time on the database's clock, as last synchronised. */
export function databaseNow(): Date {
  return new Date(Date.now() + offsetMs);
}
