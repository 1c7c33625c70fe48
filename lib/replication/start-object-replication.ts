import { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/lib/auth/audit";
import type { Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { findRelationship } from "./find-relationship";
import { getRelationshipStatus } from "./get-relationship-status";
import { JOB_STATES } from "./job-states";

/** Queues a new job; a unique index on active jobs makes a second concurrent start fail with 409. */
export async function startObjectReplication({ id, actor }: { id: string; actor: Principal }) {
  const relationship = await findRelationship(id);
  try {
    await db().$transaction(async (tx) => {
      await tx.job.create({ data: { relationshipId: relationship.id, state: JOB_STATES.QUEUED } });
      await recordAudit(tx, { actor: actor.username, action: "relationship.replicate", target: relationship.id });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "A job of this relationship is already running; wait for it or stop it first.");
    }
    throw error;
  }
  return getRelationshipStatus({ id });
}
