import path from "node:path";
import { getConfig } from "@/lib/config";

// Every path under the data directory is named here and nowhere else, so what the service keeps
// there (and makes private: lib/process/private-data.ts) can be read in one place.

export function dataDirectory(): string {
  return getConfig().dataDir;
}

const under = (...parts: string[]) => path.join(dataDirectory(), ...parts);

export const databaseFile = (): string => under("shift.db");

/** The key that encrypts stored S3 secrets, when SHIFT_SECRET_KEY does not give one. */
export const secretKeyFile = (): string => under("secret.key");

/** A relationship's per-file tracking state (SQLite). */
export const trackingFileFor = (relationshipId: string): string => under("tracking", `${relationshipId}.db`);

/** The copy-from-S3 journal of directories holding temporary files (see PartialsJournal). */
export const partialsJournalFor = (relationshipId: string): string => under("tracking", `${relationshipId}.partials`);

/** A relationship's replication log (JSON lines). */
export const relationshipLogFile = (relationshipId: string): string =>
  under("logs", "replication", `${relationshipId}.log`);

/** The objects of `npm start`'s demo S3 endpoint. */
export const demoStoreDirectory = (): string => under("demo-s3");

/** The demo endpoint's secret key, readable by the service's user alone. */
export const demoSecretFile = (): string => under("demo-s3.secret");
