import type { PrismaClient } from "@/generated/prisma/client";
import { createPostgresClient } from "@/lib/db/prisma";
import {
  FORGET_COUNTS_BEFORE,
  FORGET_KNOWN_BEFORE,
  planRelease,
  planReserve,
  type ThrottleKeys,
  type ThrottleRow,
  type ThrottleStore,
} from "./login-throttle-plan";

/** Any constant: every web server's sign-ins take their turns on it, as SQLite's BEGIN IMMEDIATE makes them. */
const THROTTLE_LOCK = 7_305_731_826_105_912n;

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

interface StoredRow {
  key: string;
  attempts: number;
  locks: number;
  lockedUntilMs: bigint | null;
  checkingUntilMs: bigint | null;
  windowStartMs: bigint;
}

const num = (value: bigint | null) => (value === null ? null : Number(value));

/**
 * The counts in PostgreSQL. Each step is one transaction that first takes a transaction-scoped
 * advisory lock, so that the read, the decision and the writes of one attempt never interleave
 * with another's, whichever host serves it. Sign-ins are rare and the lock is held for a few
 * statements; the password is checked outside it.
 */
export function postgresThrottleStore(url: string): ThrottleStore {
  // A pool of its own: attempts waiting their turn hold its connections, never the ones every
  // other request needs, and a flood of sign-ins waits here instead of failing the console.
  const client = createPostgresClient(url, 2);
  const locked = <T>(work: (tx: Tx) => Promise<T>): Promise<T> =>
    client.$transaction(
      async (tx) => {
        // Each statement must read what the attempt before committed, whatever the server's default.
        await tx.$executeRaw`SET TRANSACTION ISOLATION LEVEL READ COMMITTED`;
        await tx.$queryRaw`SELECT 1 AS held FROM (SELECT pg_advisory_xact_lock(${THROTTLE_LOCK})) AS lock`;
        return work(tx);
      },
      { maxWait: 30_000, timeout: 10_000 },
    );
  const put = (tx: Tx, row: ThrottleRow, now: number) =>
    tx.$executeRaw`INSERT INTO "LoginThrottle" (key, attempts, locks, "lockedUntilMs", "checkingUntilMs", "windowStartMs", "updatedAtMs")
      VALUES (${row.key}, ${row.attempts}, ${row.locks}, ${row.lockedUntilMs}, ${row.checkingUntilMs}, ${row.windowStartMs}, ${now})
      ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts, locks = excluded.locks, "lockedUntilMs" = excluded."lockedUntilMs",
        "checkingUntilMs" = excluded."checkingUntilMs", "windowStartMs" = excluded."windowStartMs", "updatedAtMs" = excluded."updatedAtMs"`;
  const read = async (tx: Tx, keys: string[]) => {
    const rows = await tx.$queryRaw<
      StoredRow[]
    >`SELECT key, attempts, locks, "lockedUntilMs", "checkingUntilMs", "windowStartMs"
      FROM "LoginThrottle" WHERE key = ANY(${keys})`;
    return new Map(
      rows.map((row) => [
        row.key,
        {
          key: row.key,
          attempts: row.attempts,
          locks: row.locks,
          lockedUntilMs: num(row.lockedUntilMs),
          checkingUntilMs: num(row.checkingUntilMs),
          windowStartMs: Number(row.windowStartMs),
        },
      ]),
    );
  };

  return {
    reserve: (keys: ThrottleKeys, now: number) =>
      locked(async (tx) => {
        const plan = planReserve(keys, await read(tx, Object.values(keys)), now);
        for (const row of plan.writes) await put(tx, row, now);
        if (plan.forget) {
          await tx.$executeRaw`DELETE FROM "LoginThrottle" WHERE "updatedAtMs" < ${FORGET_KNOWN_BEFORE(now)} AND key LIKE 'known:%'`;
          await tx.$executeRaw`DELETE FROM "LoginThrottle" WHERE "updatedAtMs" < ${FORGET_COUNTS_BEFORE(now)} AND key NOT LIKE 'known:%'`;
        }
        return plan.lock;
      }),
    release: (keys: ThrottleKeys, now: number) =>
      locked(async (tx) => {
        const plan = planRelease(keys, (await read(tx, [keys.knownKey])).get(keys.knownKey), now);
        await tx.$executeRaw`DELETE FROM "LoginThrottle" WHERE key = ${plan.dropKey}`;
        for (const { key, ceiling } of plan.uncount)
          await tx.$executeRaw`UPDATE "LoginThrottle" SET attempts = GREATEST(attempts - 1, 0),
            "lockedUntilMs" = CASE WHEN attempts - 1 < ${ceiling} THEN NULL ELSE "lockedUntilMs" END WHERE key = ${key}`;
        await put(tx, plan.known, now);
      }),
    lock: async (pairKey, number, untilMs) => {
      await client.$executeRaw`UPDATE "LoginThrottle" SET "lockedUntilMs" = ${untilMs}, "checkingUntilMs" = NULL
        WHERE key = ${pairKey} AND locks = ${number}`;
    },
  };
}
