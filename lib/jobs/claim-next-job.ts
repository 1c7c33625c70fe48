import type { Job } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { databaseNow } from "@/lib/db/database-clock";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { JOB_STATES } from "@/lib/replication/job-states";

/**
 * Takes the oldest queued job and a lease on it: the job's fencing token is raised, so that any
 * worker that held it before (a take-over) can no longer write to it.
 */
export async function claimNextJob(workerId: string): Promise<Job | null> {
  const leaseMs = getConfig().workerLeaseMs;
  const claim =
    databaseKind() === "postgresql" ? await claimOnPostgres(workerId, leaseMs) : await claimOnSqlite(workerId, leaseMs);
  if (!claim) return null;
  const job = await db().job.findUnique({ where: { id: claim.id } });
  // Between the claim and this read the job may have been taken over (a worker frozen or cut off
  // for a whole lease): its token then is someone else's, and must not be run under.
  return job && job.leaseToken === claim.token && job.workerId === workerId ? job : null;
}

/**
 * One statement: the row lock taken with SKIP LOCKED means workers claiming at the same moment
 * each get a different job, without waiting on one another. Times are the server's own.
 */
async function claimOnPostgres(workerId: string, leaseMs: number): Promise<{ id: string; token: number } | undefined> {
  const rows = await db().$queryRaw<Array<{ id: string; token: number }>>`
    WITH next AS (
      SELECT id FROM "Job" WHERE state = ${JOB_STATES.QUEUED}
      ORDER BY "createdAt" LIMIT 1
      FOR UPDATE SKIP LOCKED
    ), now AS (SELECT clock_timestamp() AT TIME ZONE 'UTC' AS at)
    UPDATE "Job" AS job SET
      state = ${JOB_STATES.RUNNING},
      "workerId" = ${workerId},
      "leaseToken" = job."leaseToken" + 1,
      "startTime" = COALESCE(job."startTime", now.at),
      "heartbeatAt" = now.at,
      "leaseExpiresAt" = now.at + make_interval(secs => ${leaseMs / 1000}::double precision)
    FROM next, now
    WHERE job.id = next.id
    RETURNING job.id, job."leaseToken" AS token`;
  return rows[0] && { id: rows[0].id, token: Number(rows[0].token) };
}

/** SQLite's writers take turns, so a conditional update is enough to make the claim exclusive. */
async function claimOnSqlite(workerId: string, leaseMs: number): Promise<{ id: string; token: number } | undefined> {
  for (;;) {
    const candidate = await db().job.findFirst({
      where: { state: JOB_STATES.QUEUED },
      orderBy: { createdAt: "asc" },
      select: { id: true, startTime: true, leaseToken: true },
    });
    if (!candidate) return undefined;
    const now = databaseNow();
    const claimed = await db().job.updateMany({
      where: { id: candidate.id, state: JOB_STATES.QUEUED, leaseToken: candidate.leaseToken },
      data: {
        state: JOB_STATES.RUNNING,
        workerId,
        leaseToken: candidate.leaseToken + 1,
        startTime: candidate.startTime ?? now,
        heartbeatAt: now,
        leaseExpiresAt: new Date(now.getTime() + leaseMs),
      },
    });
    if (claimed.count === 1) return { id: candidate.id, token: candidate.leaseToken + 1 };
  }
}
