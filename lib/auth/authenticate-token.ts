import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { hashToken } from "./login";
import type { Principal } from "./privileges";

/** Resolves a bearer token to the principal it was issued to, or throws 401. */
export async function authenticateToken(token: string): Promise<Principal> {
  const row = await db().apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  if (!row || row.expiresAt.getTime() <= Date.now() || row.user.disabled) {
    throw new AppError("UNAUTHENTICATED", "The bearer token is invalid or has expired; sign in again.");
  }
  return {
    userId: row.userId,
    username: row.user.username,
    privileges: new Set(row.privileges.split(",").filter(Boolean)),
  };
}
