import path from "node:path";
import { getConfig } from "@/lib/config";

export function trackingFileFor(relationshipId: string): string {
  return path.join(getConfig().trackingDir, `${relationshipId}.db`);
}
