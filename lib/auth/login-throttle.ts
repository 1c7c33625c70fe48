import Database from "better-sqlite3";
import { databaseFile } from "@/lib/data-paths";
import { AppError } from "@/lib/errors";
import { throttleAddress } from "@/lib/net/address-ranges";

/** Attempts one client address gets for one name before each further one has to wait. */
export const FREE_ATTEMPTS = 5;
/**
 * Attempts one name gets from all addresses together in a window. One address, held back by its
 * own locks, makes at most about 15 in a window, so it cannot reach this; only guessing spread
 * over many addresses does. The lock it starts does not keep out an address the name has signed
 * in from before, so it slows a spread guess without handing anyone a lock-out of the owner.
 */
export const NAME_CEILING = 50;
export const NAME_WINDOW_MS = 15 * 60 * 1000;
/**
 * Failed sign-ins one address gets over all names together in the same window. Each name has its
 * own allowance, so without it one address could try every name there is (a password spray), and
 * leave an audit row and a throttle row behind for each. A success gives its attempt back, so an
 * office behind one address where people mistype now and then never comes near it.
 */
export const ADDRESS_CEILING = 100;
const MAX_LOCK_MS = 15 * 60 * 1000;
/** How long the attempt let through after the allowance may take to be checked; a crash mid-check holds the name no longer. */
const CHECK_GRACE_MS = 30 * 1000;
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
/** How long an address the name signed in from stays exempt from the name-wide lock. */
const KNOWN_FOR_MS = 30 * 24 * 60 * 60 * 1000;

/** The n-th lock of a name from one address (counting from 0): 1 s, doubling each time, at most 15 minutes. */
export function lockDurationMs(earlierLocks: number): number {
  return Math.min(MAX_LOCK_MS, 1000 * 2 ** Math.min(earlierLocks, 30));
}

interface Row {
  key: string;
  attempts: number;
  locks: number;
  lockedUntilMs: number | null;
  checkingUntilMs: number | null;
  windowStartMs: number;
}

export interface SignInAttempt {
  /** The password was right: the address's count for the name starts again. */
  succeeded(): void;
  /** The password was wrong: an attempt past the allowance starts its lock now. */
  failed(): void;
}

/**
 * Counts a sign-in attempt by `username` from `clientAddress` before its password is checked,
 * in one SQLite transaction, so parallel attempts take their turns one at a time and no more
 * than the allowance ever reach the password check. Throws 429 while the name is locked for this
 * address (or for every address); a refused attempt changes nothing, so it cannot lengthen a lock.
 * Unknown names are counted the same way, so that the answers do not tell which names exist.
 */
export function beginSignInAttempt(username: string, clientAddress: string, now = Date.now()): SignInAttempt {
  const name = username.toLowerCase();
  // An IPv6 client holds a whole /64: its addresses count as one.
  const address = throttleAddress(clientAddress);
  const pairKey = `pair:${name}\n${address}`;
  const nameKey = `name:${name}`;
  const knownKey = `known:${name}\n${address}`;
  const addressKey = `addr:${address}`;
  const keys = { pairKey, nameKey, knownKey, addressKey };
  const store = statements();
  const lock = store.reserve(keys, now);
  return {
    succeeded: () => store.release(keys, Date.now()),
    failed: () => {
      if (lock) store.lock(pairKey, lock.number, Date.now() + lock.durationMs);
    },
  };
}

const SCOPES = {
  pair: "Too many failed sign-ins for this account",
  name: "Too many failed sign-ins for this account from several addresses",
  address: "Too many failed sign-ins from this address",
};

function tooMany(untilMs: number, now: number, scope: keyof typeof SCOPES): AppError {
  const seconds = Math.max(1, Math.ceil((untilMs - now) / 1000));
  return new AppError(
    "TOO_MANY_REQUESTS",
    `${SCOPES[scope]}; try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
  );
}

interface Keys {
  pairKey: string;
  nameKey: string;
  knownKey: string;
  addressKey: string;
}

interface ThrottleStore {
  /** Counts the attempt or throws 429; returns the lock its failure is to start, if it is past the allowance. */
  reserve(keys: Keys, now: number): { number: number; durationMs: number } | null;
  release(keys: Keys, now: number): void;
  lock(pairKey: string, number: number, untilMs: number): void;
}

const cache = globalThis as unknown as { shiftLoginThrottle?: { file: string; store: ThrottleStore } };

// A synchronous better-sqlite3 transaction (BEGIN IMMEDIATE) reads, decides and writes both
// counts with nothing able to run in between, in this process or another one.
function statements(): ThrottleStore {
  const file = databaseFile();
  if (cache.shiftLoginThrottle?.file === file) return cache.shiftLoginThrottle.store;
  // It runs on the web server's thread: wait for the worker's writes a little, never long.
  const sqlite = new Database(file, { timeout: 5_000 });
  const get = sqlite.prepare<[string], Row>(
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
  const dropPair = sqlite.prepare(`DELETE FROM LoginThrottle WHERE key = ?`);
  // Only the attempt that took this lock number may start it: a later one has its own.
  const startLock = sqlite.prepare(
    `UPDATE LoginThrottle SET lockedUntilMs = ?, checkingUntilMs = NULL WHERE key = ? AND locks = ?`,
  );
  const uncount = sqlite.prepare(
    `UPDATE LoginThrottle SET attempts = max(attempts - 1, 0),
       lockedUntilMs = CASE WHEN attempts - 1 < ? THEN NULL ELSE lockedUntilMs END WHERE key = ?`,
  );

  /** A count over a window (a name's, an address's): the stored one while its window lasts, else a new one. */
  const windowed = (key: string, now: number): Row => {
    const stored = get.get(key);
    return stored && now - stored.windowStartMs < NAME_WINDOW_MS
      ? stored
      : { key, attempts: 0, locks: 0, lockedUntilMs: null, checkingUntilMs: null, windowStartMs: now };
  };

  const reserve = sqlite.transaction(({ pairKey, nameKey, knownKey, addressKey }: Keys, now: number) => {
    const storedPair = get.get(pairKey);
    const pair: Row = storedPair ?? {
      key: pairKey,
      attempts: 0,
      locks: 0,
      lockedUntilMs: null,
      checkingUntilMs: null,
      windowStartMs: now,
    };
    const byName = windowed(nameKey, now);
    // A name that has signed in from this address before is neither held back by the address's
    // ceiling nor counted towards it: a spray from a shared address (an office's NAT, a reverse
    // proxy) cannot lock out the people who work there; its own pair allowance still applies.
    const known = get.get(knownKey);
    const exempt = !!known && now - known.windowStartMs < KNOWN_FOR_MS;
    const byAddress = windowed(addressKey, now);
    if (!exempt && byAddress.lockedUntilMs !== null && byAddress.lockedUntilMs > now)
      throw tooMany(byAddress.lockedUntilMs, now, "address");
    if (pair.lockedUntilMs !== null && pair.lockedUntilMs > now) throw tooMany(pair.lockedUntilMs, now, "pair");
    // The attempt let through after the allowance is still being checked: its lock will last at least this long.
    if (pair.checkingUntilMs !== null && pair.checkingUntilMs > now)
      throw tooMany(now + lockDurationMs(pair.locks - 1), now, "pair");
    if (!exempt && byName.lockedUntilMs !== null && byName.lockedUntilMs > now)
      throw tooMany(byName.lockedUntilMs, now, "name");
    pair.attempts++;
    let lock: { number: number; durationMs: number } | null = null;
    if (pair.attempts >= FREE_ATTEMPTS) {
      // Held from now, so that attempts arriving while this password is checked are refused;
      // the lock itself starts when it fails, and a success lifts both.
      lock = { number: pair.locks + 1, durationMs: lockDurationMs(pair.locks) };
      pair.locks = lock.number;
      pair.checkingUntilMs = now + CHECK_GRACE_MS;
    }
    byName.attempts++;
    if (byName.attempts >= NAME_CEILING) byName.lockedUntilMs = byName.windowStartMs + NAME_WINDOW_MS;
    put.run({ ...pair, now });
    put.run({ ...byName, now });
    if (!exempt) {
      byAddress.attempts++;
      if (byAddress.attempts >= ADDRESS_CEILING) byAddress.lockedUntilMs = byAddress.windowStartMs + NAME_WINDOW_MS;
      put.run({ ...byAddress, now });
    }
    if (!storedPair) {
      forgetKnown.run(now - KNOWN_FOR_MS);
      forgetCounts.run(now - FORGET_AFTER_MS);
    }
    return lock;
  });
  const release = sqlite.transaction(({ pairKey, nameKey, knownKey, addressKey }: Keys, now: number) => {
    // Only an attempt the address counted is given back: a known name's never was.
    const known = get.get(knownKey);
    const wasExempt = !!known && now - known.windowStartMs < KNOWN_FOR_MS;
    dropPair.run(pairKey);
    uncount.run(NAME_CEILING, nameKey);
    if (!wasExempt) uncount.run(ADDRESS_CEILING, addressKey);
    put.run({
      key: knownKey,
      attempts: 0,
      locks: 0,
      lockedUntilMs: null,
      checkingUntilMs: null,
      windowStartMs: now,
      now,
    });
  });

  const store: ThrottleStore = {
    reserve: (keys, now) => reserve.immediate(keys, now),
    release: (keys, now) => void release.immediate(keys, now),
    lock: (pairKey, number, untilMs) => void startLock.run(untilMs, pairKey, number),
  };
  cache.shiftLoginThrottle = { file, store };
  return store;
}
