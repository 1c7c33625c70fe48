import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { partialsJournalFor } from "@/lib/data-paths";
import { databaseKind } from "@/lib/db/database-url";
import { db } from "@/lib/db/prisma";
import { FilePartialsLedger, type NotedDirectory, type PartialsLedger } from "@/lib/engine/partials-journal";

/** Waits between the tries of a note: a database that blinks does not fail the file. */
const NOTE_RETRY_MS = [200, 1000, 3000];

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

  async listed(): Promise<NotedDirectory[]> {
    await this.carryLocalJournal();
    return db().partialDirectory.findMany({
      where: { relationshipId: this.relationshipId },
      select: { relDir: true, prefix: true },
    });
  }

  async note({ relDir, prefix }: NotedDirectory, signal?: AbortSignal): Promise<void> {
    // Not under a lease: a fenced attempt's note is one more directory swept, never a loss.
    for (let attempt = 0; ; attempt++) {
      try {
        await db().$executeRaw`INSERT INTO "PartialDirectory" ("relationshipId", "relDir", "prefix")
          VALUES (${this.relationshipId}, ${relDir}, ${prefix}) ON CONFLICT DO NOTHING`;
        return;
      } catch (error) {
        // A stopped or fenced job creates no file here: it need not wait for the database.
        if (attempt >= NOTE_RETRY_MS.length || signal?.aborted) throw error;
        await sleep(NOTE_RETRY_MS[attempt], undefined, { signal }).catch(() => undefined);
        if (signal?.aborted) throw error;
      }
    }
  }

  async keepOnly(noted: NotedDirectory[]): Promise<void> {
    await db().partialDirectory.deleteMany({
      where: {
        relationshipId: this.relationshipId,
        ...(noted.length > 0 ? { NOT: { OR: noted.map(({ relDir, prefix }) => ({ relDir, prefix })) } } : {}),
      },
    });
  }

  /**
   * A journal this host kept in its data directory before the database held them (a pull killed
   * then, on an installation already on PostgreSQL) is carried into the table, then removed.
   */
  private async carryLocalJournal(): Promise<void> {
    const file = partialsJournalFor(this.relationshipId);
    const local = await new FilePartialsLedger(file).listed();
    for (const noted of local) await this.note(noted);
    await fs.promises.rm(file, { force: true });
  }
}
