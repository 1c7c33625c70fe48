import { getConfig } from "@/lib/config";
import type { EngineEvent } from "@/lib/engine/events";
import { listAndCheckFolder, refusalErrors, refusedFolderMessage } from "@/lib/engine/folder-check";
import { PartialsJournal } from "@/lib/engine/partials-journal";
import { relationshipFolder, relationshipTree } from "../execute-copy";
import { partialsLedgerFor } from "../partial-directories";
import { WalkCutter, type Plan, type UnitCut } from "./plan-units";

export interface CheckedPull {
  totals: { files: bigint; bytes: bigint };
  /** The units to make; none when they were made already (or the folder is refused). */
  units: UnitCut[];
  /** Why the folder cannot be copied, with each refused key's file error: then no unit is made. */
  refused?: { message: string; errors: EngineEvent[] };
}

/**
 * A pull split into units lists the whole folder first, as one host does: the totals, and the
 * check that every key can become a file here, two units' keys included (a file "a" in one, "a/b"
 * in the next), before any unit writes. Units come from the tracking's packs on a repeat, else
 * are cut from the listing.
 */
export async function checkPull(
  relationshipId: string,
  plan: Exclude<Plan, { kind: "whole" }>,
  signal: AbortSignal,
): Promise<CheckedPull> {
  const { store, bucket, folder } = await relationshipFolder(relationshipId);
  try {
    const checked = await listAndCheckFolder(store, bucket, folder, { signal, splits: [] });
    try {
      const totals = { files: checked.totals.files, bytes: checked.totals.bytes };
      // Made already, by a coordinator lost since: they may be running.
      if (plan.kind === "planned") return { totals, units: [] };
      if (checked.refused > 0)
        return {
          totals,
          units: [],
          refused: { message: refusedFolderMessage(folder, checked), errors: refusalErrors(folder, checked.refusals) },
        };
      if (plan.kind === "packs") return { totals, units: plan.units };
      const cutter = new WalkCutter(getConfig().unitFiles, { from: "", nextIndex: 0 });
      const units: UnitCut[] = [];
      for await (const object of checked.listing.sorted()) {
        const unit = cutter.see(object);
        if (unit) units.push(unit);
      }
      units.push(cutter.finish());
      return { totals, units };
    } finally {
      checked.listing.close();
    }
  } finally {
    store.destroy();
  }
}

/**
 * Removes the temporary files that units killed mid-download left, wherever they ran. Only while
 * no unit of the job runs: before the first starts, and after the last has ended.
 */
export async function sweepPullLeftovers(relationshipId: string): Promise<number> {
  const tree = (await relationshipTree(relationshipId)).open();
  try {
    return await new PartialsJournal(partialsLedgerFor(relationshipId), tree).sweepLeftovers();
  } finally {
    tree.close();
  }
}
