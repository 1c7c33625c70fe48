import { db } from "@/lib/db/prisma";
import type { Principal } from "./privileges";

/**
 * The user as the database holds it now, for a session or token issued under `generation`: null
 * when the user is gone, disabled, or has had their sessions ended since. The privileges are
 * those of the user's role at this moment, so a role change applies to the next request.
 */
export async function currentUser({
  userId,
  generation,
}: {
  userId: string;
  generation: number;
}): Promise<Principal | null> {
  const user = await db().user.findUnique({
    where: { id: userId },
    include: { role: { include: { privileges: true } } },
  });
  if (!user || user.disabled || user.sessionGeneration !== generation) return null;
  return {
    userId: user.id,
    username: user.username,
    privileges: new Set(user.role.privileges.map((p) => p.privilege)),
  };
}
