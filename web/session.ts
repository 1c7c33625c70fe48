import { getServerSession } from "next-auth";
import type { Principal } from "@/lib/auth/privileges";
import { authOptions } from "./auth-options";

/**
 * The signed-in console user, or null. The session callback has just read the user from the
 * database: a session that is over, ended or disabled yields nothing, and the privileges are current.
 */
export async function currentPrincipal(): Promise<Principal | null> {
  const session = (await getServerSession(authOptions())) as {
    userId?: string;
    user?: { name?: string | null };
    privileges?: string[];
  } | null;
  if (!session?.userId) return null;
  return { userId: session.userId, username: session.user?.name ?? "", privileges: new Set(session.privileges ?? []) };
}
