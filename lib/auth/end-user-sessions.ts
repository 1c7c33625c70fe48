import { db } from "@/lib/db/prisma";

/**
 * Ends every console session and bearer token of a user, in the same write as the change that
 * calls for it (a new role, password or disabled flag): sessions carry the generation they were
 * issued under and stop matching; tokens are deleted too.
 */
export async function endUserSessions({ userId, change = {} }: { userId: string; change?: { roleId?: string; passwordHash?: string; disabled?: boolean } }): Promise<void> {
  await db().$transaction([
    db().user.update({ where: { id: userId }, data: { ...change, sessionGeneration: { increment: 1 } } }),
    db().apiToken.deleteMany({ where: { userId } }),
  ]);
}
