import path from "node:path";
import { getConfig } from "@/lib/config";

export function trackingFileFor(relationshipId: string): string {
  return path.join(getConfig().trackingDir, `${relationshipId}.db`);
}

/** The copy-from-S3 journal of directories holding temporary files (see PartialsJournal). */
export function partialsJournalFor(relationshipId: string): string {
  return path.join(getConfig().trackingDir, `${relationshipId}.partials`);
}
