import { currentUser } from "./current-user";
import type { Principal } from "./privileges";

/** A console session lasts this long from sign-in, however often it is used. */
export const CONSOLE_SESSION_SECONDS = 8 * 60 * 60;

/** What a console session's cookie holds besides the user's id. */
export interface ConsoleSessionClaims {
  userId: string;
  generation: number;
  /** Seconds since the epoch. */
  signedInAt: number;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Seconds the session has left (zero or less: over). */
export function sessionSecondsLeft(claims: Pick<ConsoleSessionClaims, "signedInAt">): number {
  return claims.signedInAt + CONSOLE_SESSION_SECONDS - nowSeconds();
}

/** The session's user as the database holds it now, or null when the session is over or ended. */
export async function consoleSessionUser(claims: ConsoleSessionClaims): Promise<Principal | null> {
  if (sessionSecondsLeft(claims) <= 0) return null;
  return currentUser({ userId: claims.userId, generation: claims.generation });
}
