import fs from "node:fs";
import type { Job } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { trackingFileFor } from "@/lib/data-paths";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { compareUtf8 } from "@/lib/engine/key-order";
import { TrackingStore } from "@/lib/engine/tracking-store";

/** How long a first copy's tree is walked (or its folder listed) to tell whether it is worth splitting: well within any lease. */
const PROBE_MS = 1_000;

export interface UnitCut {
  index: number;
  lowerBound: string;
  /** Excluded; null: to the end of the keys. */
  upperBound: string | null;
}

export type Plan =
  /** Run on one worker, as on one host. */
  | { kind: "whole" }
  /** Every unit known at once, cut at the shared tracking's packs (a repeat). */
  | { kind: "packs"; units: UnitCut[] }
  /**
   * Units cut as the job's keys pass in order: a walk of the tree (a first push, or one a lost
   * worker left unfinished), or the listing of the folder (a first pull).
   */
  | { kind: "walk"; from: string; nextIndex: number }
  /** Every unit made already, by a worker that lost the job since. */
  | { kind: "planned" };

/** How many keys a first copy would meet, up to `limit`: its tree's entries, or its folder's listing. */
export type KeyCount = (limit: number, deadline: number) => Promise<number>;

/**
 * Whether a claimed job runs whole or in work units, and where they come from. Only jobs on
 * PostgreSQL are split, and only those of at least two units' worth of files: a small job runs
 * whole, with no extra cost but one count of its tracking (or a walk of a first copy's tree, or
 * a listing of its folder, cut short once it has seen enough).
 */
export async function planJob(job: Job, direction: string, countKeys: KeyCount): Promise<Plan> {
  if (databaseKind() !== "postgresql") return { kind: "whole" };
  if (job.unitsPlanned === true) return { kind: "planned" };
  // A pull makes its units only once the whole folder is checked: none were made.
  if (job.unitsPlanned === false)
    return direction === "COPY_TO_OBJECT" ? resumePlan(job.id) : { kind: "walk", from: "", nextIndex: 0 };
  const unitFiles = getConfig().unitFiles;
  const packs = await packsOf(job.relationshipId);
  if (packs.length === 0 && hasLocalTracking(job.relationshipId)) return { kind: "whole" };
  if (packs.length > 0) {
    const units = unitsFromPacks(packs, unitFiles);
    return units ? { kind: "packs", units } : { kind: "whole" };
  }
  const deadline = performance.now() + PROBE_MS;
  const counted = await countKeys(2 * unitFiles, deadline);
  // Cut short by the deadline, at least one unit's worth is enough.
  const cutShort = counted < 2 * unitFiles && performance.now() >= deadline;
  return counted >= 2 * unitFiles || (cutShort && counted >= unitFiles)
    ? { kind: "walk", from: "", nextIndex: 0 }
    : { kind: "whole" };
}

async function packsOf(relationshipId: string) {
  return db().trackingPack.findMany({ where: { relationshipId }, select: { lowerBound: true, files: true } });
}

/**
 * A tracking file from before the database was shared: the job runs whole, sharing it under its
 * lease's renewals (it may take long), and the next one is cut from its packs.
 */
function hasLocalTracking(relationshipId: string): boolean {
  const file = trackingFileFor(relationshipId);
  if (!fs.existsSync(file)) return false;
  const store = new TrackingStore(file);
  try {
    return store.count() > 0;
  } finally {
    store.close();
  }
}

/**
 * About `unitFiles` tracked files per unit, cut evenly at packs' bounds, so that no two units
 * ever write the same pack; null when the files make fewer than two units.
 */
export function unitsFromPacks(packs: { lowerBound: string; files: number }[], unitFiles: number): UnitCut[] | null {
  const total = packs.reduce((sum, pack) => sum + pack.files, 0);
  const count = Math.floor(total / unitFiles);
  if (count < 2) return null;
  const ordered = [...packs].sort((a, b) => compareUtf8(a.lowerBound, b.lowerBound));
  const cuts: string[] = [];
  let seen = 0;
  for (const pack of ordered) {
    // The pack starts a new unit once the units before it hold their share.
    if (pack.lowerBound !== "" && seen >= (total * (cuts.length + 1)) / count) cuts.push(pack.lowerBound);
    seen += pack.files;
  }
  const lowers = ["", ...cuts];
  return lowers.map((lowerBound, index) => ({ index, lowerBound, upperBound: lowers[index + 1] ?? null }));
}

/** A plan a lost coordinator left unfinished goes on after its last unit. */
async function resumePlan(jobId: string): Promise<Plan> {
  const last = await db().jobUnit.findFirst({ where: { jobId }, orderBy: { index: "desc" } });
  return { kind: "walk", from: last?.upperBound ?? "", nextIndex: last ? last.index + 1 : 0 };
}

/**
 * Cuts the entries of a walk or a listing, in key order, into units of `unitFiles` entries as
 * they pass, from `from` on (the entries before it belong to units already made).
 */
export class WalkCutter {
  private lower: string;
  private index: number;
  private inUnit = 0;

  constructor(
    private readonly unitFiles: number,
    { from, nextIndex }: { from: string; nextIndex: number },
  ) {
    this.lower = from;
    this.index = nextIndex;
  }

  /** The unit this entry closes, if it starts the next one. */
  see(entry: { relPath: string }): UnitCut | undefined {
    if (compareUtf8(entry.relPath, this.lower) < 0) return undefined;
    if (this.inUnit < this.unitFiles) {
      this.inUnit++;
      return undefined;
    }
    const unit = { index: this.index++, lowerBound: this.lower, upperBound: entry.relPath };
    this.lower = entry.relPath;
    this.inUnit = 1;
    return unit;
  }

  /** The last unit, to the end of the keys. */
  finish(): UnitCut {
    return { index: this.index, lowerBound: this.lower, upperBound: null };
  }
}
