import { Prisma, type JobUnit } from "@/generated/prisma/client";
import { db } from "@/lib/db/prisma";
import type { DoneMark } from "@/lib/engine/completions";
import type { ProgressSnapshot } from "@/lib/progress/fields";
import { PROGRESS_FIELDS } from "@/lib/progress/fields";
import { UNIT_STATES } from "./unit-lease";

/** The counters a unit keeps in its own row, summed into its job's. */
const COUNTS = [
  "filesTransferred",
  "bytesTransferred",
  "filesUnchanged",
  "bytesUnchanged",
  "filesCopiedServerSide",
  "bytesCopiedServerSide",
  "filesFailed",
  "bytesFailed",
  "entriesSkipped",
] as const satisfies ReadonlyArray<keyof ProgressSnapshot & keyof JobUnit>;

type Counts = Pick<ProgressSnapshot, (typeof COUNTS)[number] | "skippedByReason">;

/** What a unit's attempt writes with each renewal: its counters, and the mark of what it has dealt with. */
export function unitColumns(s: ProgressSnapshot, bytesMoved: number, mark: DoneMark) {
  return {
    ...Object.fromEntries(COUNTS.map((name) => [name, s[name]])),
    skippedDetail: JSON.stringify(s.skippedByReason),
    bytesMoved: BigInt(Math.round(bytesMoved)),
    doneThrough: mark.through ?? null,
    doneBeyond: JSON.stringify(mark.beyond),
  };
}

/** Where an earlier attempt of the unit left its counters and its mark. */
export function committedOf(unit: JobUnit): { counts: Partial<ProgressSnapshot>; wireBytes: bigint; mark: DoneMark } {
  const counts: Partial<Counts> = Object.fromEntries(COUNTS.map((name) => [name, unit[name]]));
  counts.skippedByReason = PROGRESS_FIELDS.skippedByReason.parse(unit.skippedDetail);
  return {
    counts,
    wireBytes: unit.bytesMoved,
    mark: { through: unit.doneThrough ?? undefined, beyond: JSON.parse(unit.doneBeyond) as string[] },
  };
}

export interface UnitsSummary {
  counts: Partial<ProgressSnapshot>;
  bytesMoved: number;
  /** Units not yet DONE. */
  open: number;
  /** The first unit (by number) that ended in a fatal error, with its message. */
  failed?: { index: number; error: string };
}

/**
 * The job's progress from its units' committed counters, how many units are still open and the
 * first that failed, in one query (a coordinator makes it twice a second); the reasons for
 * skipped entries (a small JSON object per unit) are merged only when `withReasons`.
 */
export async function summariseUnits(jobId: string, withReasons: boolean): Promise<UnitsSummary> {
  const sums = COUNTS.map(
    (name) => Prisma.sql`COALESCE(SUM(${Prisma.raw(`"${name}"`)}), 0)::bigint AS ${Prisma.raw(`"${name}"`)}`,
  );
  const [row] = await db().$queryRaw<Array<Record<string, bigint | number | string | null>>>`
    SELECT ${Prisma.join(sums)},
      COALESCE(SUM("bytesMoved"), 0)::bigint AS "bytesMoved",
      COUNT(*) FILTER (WHERE state <> ${UNIT_STATES.DONE})::int AS open,
      (array_agg(index ORDER BY index) FILTER (WHERE state = ${UNIT_STATES.DONE} AND outcome = 'FAILED'))[1] AS "failedIndex",
      (array_agg(error ORDER BY index) FILTER (WHERE state = ${UNIT_STATES.DONE} AND outcome = 'FAILED'))[1] AS "failedError"
    FROM "JobUnit" WHERE "jobId" = ${jobId}`;
  const counts: Partial<ProgressSnapshot> = {};
  for (const name of COUNTS) counts[name] = BigInt(row![name] ?? 0);
  if (withReasons) {
    const reasons: Record<string, number> = {};
    const rows = await db().jobUnit.findMany({
      where: { jobId, entriesSkipped: { gt: 0 } },
      select: { skippedDetail: true },
    });
    for (const unit of rows)
      for (const [reason, n] of Object.entries(PROGRESS_FIELDS.skippedByReason.parse(unit.skippedDetail)))
        reasons[reason] = (reasons[reason] ?? 0) + (n ?? 0);
    counts.skippedByReason = reasons as ProgressSnapshot["skippedByReason"];
  }
  const failedIndex = row!.failedIndex;
  return {
    counts,
    bytesMoved: Number(row!.bytesMoved ?? 0),
    open: Number(row!.open),
    failed: failedIndex === null ? undefined : { index: Number(failedIndex), error: String(row!.failedError ?? "") },
  };
}
