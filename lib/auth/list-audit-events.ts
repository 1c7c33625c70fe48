import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/validation";

export const auditFilterSchema = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  target: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** The audit trail, newest first, narrowed by who, what (a prefix such as "user.") and on what. */
export async function listAuditEvents(filter: unknown) {
  const f = parseInput(auditFilterSchema, filter);
  const rows = await db().auditEvent.findMany({
    where: {
      ...(f.actor ? { actor: f.actor } : {}),
      ...(f.action ? { action: { startsWith: f.action } } : {}),
      ...(f.target ? { target: { contains: f.target } } : {}),
    },
    orderBy: { id: "desc" },
    take: f.limit,
  });
  return rows.map((r) => ({
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: r.detail,
  }));
}
