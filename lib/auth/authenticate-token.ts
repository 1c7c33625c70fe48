import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { currentUser } from "./current-user";
import { hashToken } from "./login";
import type { Principal } from "./privileges";

/** Resolves a bearer token to its user's current privileges, or throws 401. */
export async function authenticateToken(token: string): Promise<Principal> {
  const row = await db().apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  const principal =
    row && row.expiresAt.getTime() > Date.now()
      ? await currentUser({ userId: row.userId, generation: row.generation })
      : null;
  if (!principal) throw new AppError("UNAUTHENTICATED", "The bearer token is invalid or has expired; sign in again.");
  return principal;
}
