import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";

/** Attempts allowed before each further one has to wait. */
export const FREE_ATTEMPTS = 5;
const MAX_LOCK_MS = 15 * 60 * 1000;
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

/** 1 s after the first attempt over the allowance, doubling with each further one, up to 15 minutes. */
export function lockDurationMs(attempts: number): number {
  return Math.min(MAX_LOCK_MS, 1000 * 2 ** Math.max(0, attempts - FREE_ATTEMPTS - 1));
}

/**
 * Counts a sign-in attempt for `username` before its password is checked, so that a burst of
 * parallel guesses is counted as it arrives. Throws 429 while the name is locked; past the
 * allowance, each attempt locks it for a growing while before it is checked. Unknown names are
 * counted the same way, so that the answers do not tell which names exist.
 */
export async function beginSignInAttempt(username: string, now = new Date()): Promise<{ succeeded: () => Promise<void> }> {
  const key = username.toLowerCase();
  const prisma = db();
  const row = await prisma.loginThrottle.upsert({
    where: { username: key },
    create: { username: key, attempts: 1 },
    update: { attempts: { increment: 1 } },
  });
  if (row.lockedUntil && row.lockedUntil > now) throw tooMany(row.lockedUntil, now);
  if (row.attempts > FREE_ATTEMPTS) {
    await prisma.loginThrottle.update({ where: { username: key }, data: { lockedUntil: new Date(now.getTime() + lockDurationMs(row.attempts)) } });
  }
  if (row.attempts === 1) await prisma.loginThrottle.deleteMany({ where: { updatedAt: { lt: new Date(now.getTime() - FORGET_AFTER_MS) } } });
  return { succeeded: async () => void (await prisma.loginThrottle.deleteMany({ where: { username: key } })) };
}

function tooMany(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError("TOO_MANY_REQUESTS", `Too many failed sign-ins for this account; try again in ${seconds} second${seconds === 1 ? "" : "s"}.`);
}
