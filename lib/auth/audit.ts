import { db } from "@/lib/db/prisma";

export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/** Every change is recorded with who, what and when. The detail must never hold a secret. */
export async function recordAudit({ actor, action, target, detail }: AuditInput): Promise<void> {
  await db().auditEvent.create({
    data: { actor, action, target, detail: detail ? JSON.stringify(detail) : "" },
  });
}
