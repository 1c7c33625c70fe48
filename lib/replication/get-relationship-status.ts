import type { Job, Relationship } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import { findRelationship } from "./find-relationship";
import { ACTIVE_STATES, FINISHED_STATES, JOB_STATES } from "./job-states";
import { statusView } from "./views";

async function statusOf(relationship: Relationship) {
  const [current, last, success] = await Promise.all([
    db().job.findFirst({ where: { relationshipId: relationship.id, state: { in: [...ACTIVE_STATES] } } }),
    db().job.findFirst({
      where: { relationshipId: relationship.id, state: { in: [...FINISHED_STATES] } },
      orderBy: { createdAt: "desc" },
    }),
    db().job.aggregate({
      where: { relationshipId: relationship.id, state: JOB_STATES.SUCCEEDED },
      _max: { endTime: true },
    }),
  ]);
  return statusView(relationship, current, last, success._max.endTime);
}

export async function getRelationshipStatus({ id }: { id: string }) {
  return statusOf(await findRelationship(id));
}

export async function listRelationshipStatuses() {
  const prisma = db();
  const relationships = await prisma.relationship.findMany({ orderBy: { createdAt: "asc" } });
  const active = await prisma.job.findMany({ where: { state: { in: [...ACTIVE_STATES] } } });
  // The newest finished job of each relationship, in one query.
  const finished = await prisma.job.findMany({
    where: { state: { in: [...FINISHED_STATES] } },
    orderBy: { createdAt: "desc" },
    distinct: ["relationshipId"],
  });
  // When each relationship last succeeded, also in one query (a list of many copies must not
  // cost a query per copy every second the console polls it).
  const successes = await prisma.job.groupBy({
    by: ["relationshipId"],
    where: { state: JOB_STATES.SUCCEEDED },
    _max: { endTime: true },
  });
  const byRelationship = (jobs: Job[]) => new Map(jobs.map((job) => [job.relationshipId, job]));
  const current = byRelationship(active);
  const last = byRelationship(finished);
  const lastSuccess = new Map(successes.map((row) => [row.relationshipId, row._max.endTime]));
  return relationships.map((r) =>
    statusView(r, current.get(r.id) ?? null, last.get(r.id) ?? null, lastSuccess.get(r.id) ?? null),
  );
}
