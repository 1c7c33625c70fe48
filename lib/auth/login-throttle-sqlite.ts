import Database from "better-sqlite3";
import {
  FORGET_COUNTS_BEFORE,
  FORGET_KNOWN_BEFORE,
  planRelease,
  planReserve,
  type ThrottleKeys,
  type ThrottleRow,
  type ThrottleStore,
} from "./login-throttle-plan";

/**
 * The counts in the SQLite file, through a connection of its own: a synchronous better-sqlite3
 * transaction (BEGIN IMMEDIATE) reads, decides and writes with nothing able to run in between,
 * in this process or another one.
 */
export function sqliteThrottleStore(file: string): ThrottleStore {
  // It runs on the web server's thread: wait for the worker's writes a little, never long.
  const sqlite = new Database(file, { timeout: 5_000 });
  const get = sqlite.prepare<[string], ThrottleRow>(
    `SELECT key, attempts, locks, lockedUntilMs, checkingUntilMs, windowStartMs FROM LoginThrottle WHERE key = ?`,
  );
  const put = sqlite.prepare(
    `INSERT INTO LoginThrottle (key, attempts, locks, lockedUntilMs, checkingUntilMs, windowStartMs, updatedAtMs)
     VALUES (@key, @attempts, @locks, @lockedUntilMs, @checkingUntilMs, @windowStartMs, @now)
     ON CONFLICT(key) DO UPDATE SET attempts = excluded.attempts, locks = excluded.locks, lockedUntilMs = excluded.lockedUntilMs,
       checkingUntilMs = excluded.checkingUntilMs, windowStartMs = excluded.windowStartMs, updatedAtMs = excluded.updatedAtMs`,
  );
  // Two range deletes on the updatedAtMs index, not one scan of the table inside the lock.
  const forgetKnown = sqlite.prepare(`DELETE FROM LoginThrottle WHERE updatedAtMs < ? AND key LIKE 'known:%'`);
  const forgetCounts = sqlite.prepare(`DELETE FROM LoginThrottle WHERE updatedAtMs < ? AND key NOT LIKE 'known:%'`);
  const drop = sqlite.prepare(`DELETE FROM LoginThrottle WHERE key = ?`);
  // Only the attempt that took this lock number may start it: a later one has its own.
  const startLock = sqlite.prepare(
    `UPDATE LoginThrottle SET lockedUntilMs = ?, checkingUntilMs = NULL WHERE key = ? AND locks = ?`,
  );
  const uncount = sqlite.prepare(
    `UPDATE LoginThrottle SET attempts = max(attempts - 1, 0),
       lockedUntilMs = CASE WHEN attempts - 1 < ? THEN NULL ELSE lockedUntilMs END WHERE key = ?`,
  );

  const reserve = sqlite.transaction((keys: ThrottleKeys, now: number) => {
    const read = new Map<string, ThrottleRow>();
    for (const key of Object.values(keys)) {
      const row = get.get(key);
      if (row) read.set(key, row);
    }
    const plan = planReserve(keys, read, now);
    for (const row of plan.writes) put.run({ ...row, now });
    if (plan.forget) {
      forgetKnown.run(FORGET_KNOWN_BEFORE(now));
      forgetCounts.run(FORGET_COUNTS_BEFORE(now));
    }
    return plan.lock;
  });
  const release = sqlite.transaction((keys: ThrottleKeys, now: number) => {
    const plan = planRelease(keys, get.get(keys.knownKey), now);
    drop.run(plan.dropKey);
    for (const { key, ceiling } of plan.uncount) uncount.run(ceiling, key);
    put.run({ ...plan.known, now });
  });

  return {
    reserve: async (keys, now) => reserve.immediate(keys, now),
    release: async (keys, now) => void release.immediate(keys, now),
    lock: async (pairKey, number, untilMs) => void startLock.run(untilMs, pairKey, number),
  };
}
