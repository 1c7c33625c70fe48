import { getConfig } from "@/lib/config";
import { databaseFile } from "@/lib/data-paths";
import { throttleAddress } from "@/lib/net/address-ranges";
import type { SignInAttempt, ThrottleKeys, ThrottleStore } from "./login-throttle-plan";
import { postgresThrottleStore } from "./login-throttle-postgres";
import { sqliteThrottleStore } from "./login-throttle-sqlite";

export { ADDRESS_CEILING, FREE_ATTEMPTS, lockDurationMs, NAME_CEILING, NAME_WINDOW_MS } from "./login-throttle-plan";

/**
 * Counts a sign-in attempt by `username` from `clientAddress` before its password is checked,
 * in one transaction that holds the throttle's lock (SQLite's BEGIN IMMEDIATE, a PostgreSQL
 * advisory lock), so parallel attempts, from this process or another host's, take their turns
 * one at a time and no more than the allowance ever reach the password check. Throws 429 while
 * the name is locked for this address (or for every address); a refused attempt changes nothing,
 * so it cannot lengthen a lock. Unknown names are counted the same way, so that the answers do
 * not tell which names exist.
 */
export async function beginSignInAttempt(
  username: string,
  clientAddress: string,
  now = Date.now(),
): Promise<SignInAttempt> {
  const name = username.toLowerCase();
  // An IPv6 client holds a whole /64: its addresses count as one.
  const address = throttleAddress(clientAddress);
  const pairKey = `pair:${name}\n${address}`;
  const keys: ThrottleKeys = {
    pairKey,
    nameKey: `name:${name}`,
    knownKey: `known:${name}\n${address}`,
    addressKey: `addr:${address}`,
  };
  const store = throttleStore();
  const lock = await store.reserve(keys, now);
  return {
    succeeded: () => store.release(keys, Date.now()),
    failed: async () => {
      if (lock) await store.lock(pairKey, lock.number, Date.now() + lock.durationMs);
    },
  };
}

const cache = globalThis as unknown as { shiftLoginThrottle?: { id: string; store: ThrottleStore } };

function throttleStore(): ThrottleStore {
  const url = getConfig().databaseUrl;
  const id = url ?? databaseFile();
  if (cache.shiftLoginThrottle?.id === id) return cache.shiftLoginThrottle.store;
  const store = url ? postgresThrottleStore(url) : sqliteThrottleStore(databaseFile());
  cache.shiftLoginThrottle = { id, store };
  return store;
}
