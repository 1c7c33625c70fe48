import type { JobUnit } from "@/generated/prisma/client";
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
  /** The first unit (by number) that ended in a fatal error, with its message. */
  failed?: { index: number; error: string };
}

/**
 * The job's progress from its units' committed counters: sums in SQL, and the reasons for
 * skipped entries (a small JSON object per unit) merged only when `withReasons`.
 */
export async function summariseUnits(jobId: string, withReasons: boolean): Promise<UnitsSummary> {
  const sums = await db().jobUnit.aggregate({
    where: { jobId },
    _sum: { ...Object.fromEntries(COUNTS.map((name) => [name, true])), bytesMoved: true },
  });
  const counts: Partial<ProgressSnapshot> = {};
  const summed = sums._sum as Record<string, bigint | null>;
  for (const name of COUNTS) counts[name] = summed[name] ?? 0n;
  if (withReasons) {
    const reasons: Record<string, number> = {};
    const rows = await db().jobUnit.findMany({
      where: { jobId, entriesSkipped: { gt: 0 } },
      select: { skippedDetail: true },
    });
    for (const row of rows)
      for (const [reason, n] of Object.entries(PROGRESS_FIELDS.skippedByReason.parse(row.skippedDetail)))
        reasons[reason] = (reasons[reason] ?? 0) + (n ?? 0);
    counts.skippedByReason = reasons as ProgressSnapshot["skippedByReason"];
  }
  const failed = await db().jobUnit.findFirst({
    where: { jobId, state: UNIT_STATES.DONE, outcome: "FAILED" },
    orderBy: { index: "asc" },
    select: { index: true, error: true },
  });
  return {
    counts,
    bytesMoved: Number(summed.bytesMoved ?? 0n),
    failed: failed ?? undefined,
  };
}
