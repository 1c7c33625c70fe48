import type { Prisma } from "@/generated/prisma/client";

export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/**
 * Every change is recorded with who, what and when, through the transaction that makes the
 * change: both are kept or neither is. The detail must never hold a secret.
 */
export async function recordAudit(
  tx: Prisma.TransactionClient,
  { actor, action, target, detail }: AuditInput,
): Promise<void> {
  await tx.auditEvent.create({
    data: { actor, action, target, detail: detail ? JSON.stringify(detail) : "" },
  });
}
