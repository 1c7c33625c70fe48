import { AppError } from "@/lib/errors";

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

export interface SignInAttempt {
  /** The password was right: the address's count for the name starts again. */
  succeeded(): Promise<void>;
  /** The password was wrong: an attempt past the allowance starts its lock now. */
  failed(): Promise<void>;
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

export interface ThrottleKeys {
  pairKey: string;
  nameKey: string;
  knownKey: string;
  addressKey: string;
}

export interface ThrottleRow {
  key: string;
  attempts: number;
  locks: number;
  lockedUntilMs: number | null;
  checkingUntilMs: number | null;
  windowStartMs: number;
}

/** The lock an attempt past the allowance starts when its password turns out wrong. */
export interface PendingLock {
  number: number;
  durationMs: number;
}

/** Where the counts are kept; each method is one transaction under the throttle's lock. */
export interface ThrottleStore {
  /** Counts the attempt or throws 429; returns the lock its failure is to start, if it is past the allowance. */
  reserve(keys: ThrottleKeys, now: number): Promise<PendingLock | null>;
  release(keys: ThrottleKeys, now: number): Promise<void>;
  lock(pairKey: string, number: number, untilMs: number): Promise<void>;
}

export const FORGET_KNOWN_BEFORE = (now: number) => now - KNOWN_FOR_MS;
export const FORGET_COUNTS_BEFORE = (now: number) => now - FORGET_AFTER_MS;

const emptyRow = (key: string, now: number): ThrottleRow => ({
  key,
  attempts: 0,
  locks: 0,
  lockedUntilMs: null,
  checkingUntilMs: null,
  windowStartMs: now,
});

/** A count over a window (a name's, an address's): the stored one while its window lasts, else a new one. */
const windowed = (key: string, stored: ThrottleRow | undefined, now: number): ThrottleRow =>
  stored && now - stored.windowStartMs < NAME_WINDOW_MS ? { ...stored } : emptyRow(key, now);

const isKnown = (known: ThrottleRow | undefined, now: number) => !!known && now - known.windowStartMs < KNOWN_FOR_MS;

export interface ReservePlan {
  /** Rows to write (insert or replace), each with updatedAtMs = now. */
  writes: ThrottleRow[];
  lock: PendingLock | null;
  /** A pair seen for the first time: old rows are forgotten in the same transaction. */
  forget: boolean;
}

/** What an attempt does to the rows it read (by key), or the 429 it gets; the same for every store. */
export function planReserve(
  { pairKey, nameKey, knownKey, addressKey }: ThrottleKeys,
  read: Map<string, ThrottleRow>,
  now: number,
): ReservePlan {
  const storedPair = read.get(pairKey);
  const pair: ThrottleRow = storedPair ? { ...storedPair } : emptyRow(pairKey, now);
  const byName = windowed(nameKey, read.get(nameKey), now);
  // A name that has signed in from this address before is neither held back by the address's
  // ceiling nor counted towards it: a spray from a shared address (an office's NAT, a reverse
  // proxy) cannot lock out the people who work there; its own pair allowance still applies.
  const exempt = isKnown(read.get(knownKey), now);
  const byAddress = windowed(addressKey, read.get(addressKey), now);
  if (!exempt && byAddress.lockedUntilMs !== null && byAddress.lockedUntilMs > now)
    throw tooMany(byAddress.lockedUntilMs, now, "address");
  if (pair.lockedUntilMs !== null && pair.lockedUntilMs > now) throw tooMany(pair.lockedUntilMs, now, "pair");
  // The attempt let through after the allowance is still being checked: its lock will last at least this long.
  if (pair.checkingUntilMs !== null && pair.checkingUntilMs > now)
    throw tooMany(now + lockDurationMs(pair.locks - 1), now, "pair");
  if (!exempt && byName.lockedUntilMs !== null && byName.lockedUntilMs > now)
    throw tooMany(byName.lockedUntilMs, now, "name");
  pair.attempts++;
  let lock: PendingLock | null = null;
  if (pair.attempts >= FREE_ATTEMPTS) {
    // Held from now, so that attempts arriving while this password is checked are refused;
    // the lock itself starts when it fails, and a success lifts both.
    lock = { number: pair.locks + 1, durationMs: lockDurationMs(pair.locks) };
    pair.locks = lock.number;
    pair.checkingUntilMs = now + CHECK_GRACE_MS;
  }
  byName.attempts++;
  if (byName.attempts >= NAME_CEILING) byName.lockedUntilMs = byName.windowStartMs + NAME_WINDOW_MS;
  const writes = [pair, byName];
  if (!exempt) {
    byAddress.attempts++;
    if (byAddress.attempts >= ADDRESS_CEILING) byAddress.lockedUntilMs = byAddress.windowStartMs + NAME_WINDOW_MS;
    writes.push(byAddress);
  }
  return { writes, lock, forget: !storedPair };
}

export interface ReleasePlan {
  dropKey: string;
  /** Counts given back one attempt, each with the ceiling below which its lock is lifted. */
  uncount: { key: string; ceiling: number }[];
  known: ThrottleRow;
}

/** A success: the pair starts again, the name's (and, unless it was exempt, the address's) attempt is given back. */
export function planRelease(
  { pairKey, nameKey, knownKey, addressKey }: ThrottleKeys,
  known: ThrottleRow | undefined,
  now: number,
): ReleasePlan {
  // Only an attempt the address counted is given back: a known name's never was.
  const uncount = [{ key: nameKey, ceiling: NAME_CEILING }];
  if (!isKnown(known, now)) uncount.push({ key: addressKey, ceiling: ADDRESS_CEILING });
  return { dropKey: pairKey, uncount, known: emptyRow(knownKey, now) };
}
