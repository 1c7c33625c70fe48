import { db } from "@/lib/db/prisma";
import { endUserSessions } from "./end-user-sessions";

/**
 * Console sign-out: a copied cookie must not outlive it, and a cookie holds no id of its own, so
 * the user's sessions and tokens all end. A cookie already ended changes nothing.
 */
export async function signOutSession({ userId, generation }: { userId: string; generation: number }): Promise<void> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { sessionGeneration: true } });
  if (user?.sessionGeneration === generation) await db().$transaction((tx) => endUserSessions(tx, { userId }));
}
