import { getServerSession } from "next-auth";
import type { Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { authOptions } from "./auth-options";

/**
 * The signed-in console user, or null. Privileges come from the session (a role change waits for
 * the next sign-in), but a disabled account loses its session at once.
 */
export async function currentPrincipal(): Promise<Principal | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; user?: { name?: string | null }; privileges?: string[] } | null;
  if (!session?.userId) return null;
  const user = await db().user.findUnique({ where: { id: session.userId }, select: { disabled: true } });
  if (!user || user.disabled) return null;
  return { userId: session.userId, username: session.user?.name ?? "", privileges: new Set(session.privileges ?? []) };
}
