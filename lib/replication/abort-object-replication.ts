import { recordAudit } from "@/lib/auth/audit";
import type { Principal } from "@/lib/auth/privileges";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { findRelationship } from "./find-relationship";
import { getRelationshipStatus } from "./get-relationship-status";
import { JOB_STATES } from "./job-states";

/**
 * A queued job is ended here; a running one is flagged, and its worker turns the flag into an
 * abort signal within a fraction of a second.
 */
export async function abortObjectReplication({ id, actor }: { id: string; actor: Principal }) {
  const relationship = await findRelationship(id);
  await db().$transaction(async (tx) => {
    // The active job's row is locked first, so that neither a claim (QUEUED to RUNNING) nor a
    // take-over (RUNNING to QUEUED) can move it between the statements below. SQLite needs
    // nothing: the first write below holds its one write lock until the end.
    if (databaseKind() === "postgresql")
      await tx.$queryRaw`SELECT id FROM "Job" WHERE "relationshipId" = ${relationship.id}
        AND state IN (${JOB_STATES.QUEUED}, ${JOB_STATES.RUNNING}) FOR UPDATE`;
    const flagged = await tx.job.updateMany({
      where: { relationshipId: relationship.id, state: JOB_STATES.RUNNING },
      data: { abortRequested: true },
    });
    // A job split into units that waits for a worker to coordinate it again may have units
    // running: it is flagged, and its next coordinator stops them and records the stop.
    const flaggedWaiting = await tx.job.updateMany({
      where: { relationshipId: relationship.id, state: JOB_STATES.QUEUED, unitsPlanned: { not: null } },
      data: { abortRequested: true },
    });
    const endedQueued = await tx.job.updateMany({
      where: { relationshipId: relationship.id, state: JOB_STATES.QUEUED, takeovers: 0, unitsPlanned: null },
      data: { state: JOB_STATES.ABORTED, endTime: new Date(), error: "The job was stopped before it started." },
    });
    const endedWaiting = await tx.job.updateMany({
      where: { relationshipId: relationship.id, state: JOB_STATES.QUEUED, takeovers: { gt: 0 }, unitsPlanned: null },
      data: {
        state: JOB_STATES.ABORTED,
        endTime: new Date(),
        error: "The job was stopped while it waited for another worker to continue it.",
      },
    });
    if (endedQueued.count + endedWaiting.count + flagged.count + flaggedWaiting.count === 0) {
      throw new AppError("CONFLICT", "No job of this relationship is running.");
    }
    await recordAudit(tx, { actor: actor.username, action: "relationship.abort", target: relationship.id });
  });
  return getRelationshipStatus({ id });
}
