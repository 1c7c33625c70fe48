// Work units' leases on a real PostgreSQL: claims that never hand one unit to two workers, fencing
// that refuses a superseded attempt's writes, take-overs, and a stop that waits for a coordinator.
import { describe, expect, it } from "vitest";
import { databaseNow } from "@/lib/db/database-clock";
import { db } from "@/lib/db/prisma";
import { LeaseLostError } from "@/lib/jobs/job-lease";
import {
  claimNextUnit,
  takeOverLostUnits,
  UNIT_STATES,
  writeUnderUnitLease,
  type UnitLease,
} from "@/lib/jobs/units/unit-lease";
import { summariseUnits } from "@/lib/jobs/units/unit-progress";
import { abortObjectReplication } from "@/lib/replication/abort-object-replication";
import { newRelationship, useMigratedPostgres } from "../support/postgres-rows";

useMigratedPostgres("units");

const ADMIN = { userId: "u", username: "admin", privileges: new Set<string>() };

/** A job split into `units` units (keys k0…), in `state`, created `ageMs` ago. */
async function splitJob(units: number, state = "RUNNING", extra: { abortRequested?: boolean; ageMs?: number } = {}) {
  const relationshipId = await newRelationship();
  const job = await db().job.create({
    data: {
      relationshipId,
      state,
      unitsPlanned: true,
      abortRequested: extra.abortRequested ?? false,
      createdAt: new Date(Date.now() - (extra.ageMs ?? 0)),
      workerId: state === "RUNNING" ? "coordinator" : null,
    },
  });
  await db().jobUnit.createMany({
    data: Array.from({ length: units }, (_, index) => ({
      jobId: job.id,
      index,
      lowerBound: index === 0 ? "" : `k${index}`,
      upperBound: index === units - 1 ? null : `k${index + 1}`,
      state: UNIT_STATES.QUEUED,
    })),
  });
  return { relationshipId, jobId: job.id };
}

const unitRow = (jobId: string, index: number) =>
  db().jobUnit.findUniqueOrThrow({ where: { jobId_index: { jobId, index } } });

/** Makes the unit's lease run out now. */
const expire = (jobId: string, index: number) =>
  db().jobUnit.update({
    where: { jobId_index: { jobId, index } },
    data: { leaseExpiresAt: new Date(databaseNow().getTime() - 1_000) },
  });

describe("work units' leases", () => {
  it("workers claiming at once each get a different unit, of the oldest job first; a stopped job's units are not claimed", async () => {
    const older = await splitJob(3, "RUNNING", { ageMs: 60_000 });
    const newer = await splitJob(2, "QUEUED", { ageMs: 30_000 });
    const stopped = await splitJob(2, "RUNNING", { abortRequested: true, ageMs: 90_000 });
    const claims = await Promise.all(Array.from({ length: 7 }, (_, i) => claimNextUnit(`worker-${i}`)));
    const got = claims.filter((c) => c !== null);
    expect(got.map((u) => `${u.jobId}/${u.index}`).sort()).toEqual(
      [...[0, 1, 2].map((i) => `${older.jobId}/${i}`), ...[0, 1].map((i) => `${newer.jobId}/${i}`)].sort(),
    );
    expect(new Set(got.map((u) => u.workerId)).size).toBe(5);
    for (const unit of got) expect(unit).toMatchObject({ state: "RUNNING", leaseToken: 1 });
    expect((await unitRow(stopped.jobId, 0)).state).toBe("QUEUED");
  });

  it("a unit taken over refuses its lost attempt's writes, and its new holder's go through", async () => {
    const { jobId } = await splitJob(1);
    const claimed = (await claimNextUnit("lost"))!;
    const lost: UnitLease = { jobId, index: 0, token: claimed.leaseToken };
    await writeUnderUnitLease(db(), lost, { filesTransferred: 10n, doneThrough: "k0/a" });
    await expire(jobId, 0);
    expect(await takeOverLostUnits()).toBe(1);
    const queued = await unitRow(jobId, 0);
    expect(queued).toMatchObject({ state: "QUEUED", takeovers: 1, workerId: null, leaseToken: lost.token + 1 });

    await expect(writeUnderUnitLease(db(), lost, { filesTransferred: 99n })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await unitRow(jobId, 0)).toEqual(queued);

    const again = (await claimNextUnit("new"))!;
    // The new attempt starts from what the lost one committed.
    expect(again).toMatchObject({ filesTransferred: 10n, doneThrough: "k0/a", takeovers: 1 });
    await writeUnderUnitLease(db(), { jobId, index: 0, token: again.leaseToken }, { filesTransferred: 11n });
    expect((await unitRow(jobId, 0)).filesTransferred).toBe(11n);
  });

  it("ends a unit lost a fourth time as failed, one of a stopped job as aborted, and queued units of an ended job", async () => {
    const lostOften = await splitJob(1);
    await claimNextUnit("w");
    await db().jobUnit.update({ where: { jobId_index: { jobId: lostOften.jobId, index: 0 } }, data: { takeovers: 3 } });
    await expire(lostOften.jobId, 0);
    const stopped = await splitJob(2);
    await claimNextUnit("w");
    await db().job.update({ where: { id: stopped.jobId }, data: { abortRequested: true } });
    await expire(stopped.jobId, 0);
    const ended = await splitJob(2, "INTERRUPTED");

    expect(await takeOverLostUnits()).toBe(0);
    expect(await unitRow(lostOften.jobId, 0)).toMatchObject({
      state: "DONE",
      outcome: "FAILED",
      error:
        "A part of the job was handed to another worker 3 times, and its worker stopped renewing its lease once more. Start the job again: files already copied are not copied again.",
    });
    expect(await unitRow(stopped.jobId, 0)).toMatchObject({ state: "DONE", outcome: "ABORTED" });
    for (const index of [0, 1])
      expect(await unitRow(ended.jobId, index)).toMatchObject({ state: "DONE", outcome: "ABORTED" });
  });

  it("a stop of a split job that waits for a worker to coordinate it again is left to that worker", async () => {
    const { relationshipId, jobId } = await splitJob(2, "QUEUED");
    await abortObjectReplication({ id: relationshipId, actor: ADMIN });
    // Still queued, its units running where they run: the next coordinator stops them and records the stop.
    expect(await db().job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      state: "QUEUED",
      abortRequested: true,
    });
    expect(await claimNextUnit("w")).toBeNull();
  });

  it("sums a job's units in one query: counters, units still open, and the first that failed", async () => {
    const { jobId } = await splitJob(4);
    const set = (index: number, data: Record<string, unknown>) =>
      db().jobUnit.update({ where: { jobId_index: { jobId, index } }, data });
    await set(0, {
      state: UNIT_STATES.DONE,
      outcome: "SUCCEEDED",
      filesTransferred: 5n,
      bytesTransferred: 500n,
      bytesMoved: 520n,
    });
    await set(1, { state: UNIT_STATES.RUNNING, filesUnchanged: 7n, entriesSkipped: 2n, skippedDetail: '{"fifo":2}' });
    await set(2, { state: UNIT_STATES.DONE, outcome: "FAILED", error: "the bucket is gone", filesFailed: 1n });
    await set(3, { state: UNIT_STATES.DONE, outcome: "FAILED", error: "a later failure", bytesMoved: 30n });
    const summary = await summariseUnits(jobId, true);
    expect(summary).toEqual({
      counts: expect.objectContaining({
        filesTransferred: 5n,
        bytesTransferred: 500n,
        filesUnchanged: 7n,
        filesFailed: 1n,
        entriesSkipped: 2n,
        skippedByReason: { fifo: 2 },
      }),
      bytesMoved: 550,
      open: 1,
      failed: { index: 2, error: "the bucket is gone" },
    });
    const empty = await splitJob(2);
    expect(await summariseUnits(empty.jobId, false)).toMatchObject({ open: 2, failed: undefined, bytesMoved: 0 });
  });
});
