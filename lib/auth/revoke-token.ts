import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { hashToken } from "./login";

/** Sign-out for a bearer token: that token stops working; the user's other tokens and sessions stay. */
export async function revokeToken({ token }: { token: string }): Promise<void> {
  const { count } = await db().apiToken.deleteMany({
    where: { tokenHash: hashToken(token), expiresAt: { gt: new Date() } },
  });
  if (count === 0) throw new AppError("UNAUTHENTICATED", "The bearer token is invalid or has expired; sign in again.");
}
