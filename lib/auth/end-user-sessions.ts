import type { Prisma } from "@/generated/prisma/client";

/**
 * Ends every console session and bearer token of a user, in the same transaction as the change
 * that calls for it (a new role, password or disabled flag): sessions carry the generation they
 * were issued under and stop matching; tokens are deleted too.
 */
export async function endUserSessions(
  tx: Prisma.TransactionClient,
  { userId, change = {} }: { userId: string; change?: { roleId?: string; passwordHash?: string; disabled?: boolean } },
): Promise<void> {
  await tx.user.update({ where: { id: userId }, data: { ...change, sessionGeneration: { increment: 1 } } });
  await tx.apiToken.deleteMany({ where: { userId } });
}
