import { partialsJournalFor } from "@/lib/data-paths";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { FilePartialsLedger, type PartialsLedger } from "@/lib/engine/partials-journal";

/**
 * Where a relationship's copies from S3 note the directories of their temporary files: the
 * shared database when workers on several hosts may run its jobs (one may have to sweep what
 * another's killed process left), else a file in the data directory.
 */
export function partialsLedgerFor(relationshipId: string): PartialsLedger {
  return databaseKind() === "postgresql"
    ? new DatabasePartialsLedger(relationshipId)
    : new FilePartialsLedger(partialsJournalFor(relationshipId));
}

class DatabasePartialsLedger implements PartialsLedger {
  constructor(private readonly relationshipId: string) {}

  async listed(): Promise<string[]> {
    const rows = await db().partialDirectory.findMany({
      where: { relationshipId: this.relationshipId },
      select: { relDir: true },
    });
    return rows.map((row) => row.relDir);
  }

  async note(relDir: string): Promise<void> {
    // Not under a lease: a fenced attempt's note is one more directory swept, never a loss.
    await db().$executeRaw`INSERT INTO "PartialDirectory" ("relationshipId", "relDir")
      VALUES (${this.relationshipId}, ${relDir}) ON CONFLICT DO NOTHING`;
  }

  async keepOnly(relDirs: string[]): Promise<void> {
    await db().partialDirectory.deleteMany({
      where: { relationshipId: this.relationshipId, relDir: { notIn: relDirs } },
    });
  }
}
