import fs from "node:fs/promises";
import { recordAudit } from "@/lib/auth/audit";
import type { Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { partialsJournalFor, trackingFileFor } from "@/lib/data-paths";
import { findRelationship } from "./find-relationship";
import { ACTIVE_STATES } from "./job-states";

/** Removes the relationship, its jobs and its tracking rows; the bucket is never touched. */
export async function deleteObjectRelationship({ id, actor }: { id: string; actor: Principal }) {
  const relationship = await findRelationship(id);
  // One conditional statement: SQLite cannot upgrade a read transaction to a write while a
  // worker writes progress, so check-then-delete would fail under load instead of waiting.
  await db().$transaction(async (tx) => {
    const { count } = await tx.relationship.deleteMany({
      where: { id: relationship.id, jobs: { none: { state: { in: [...ACTIVE_STATES] } } } },
    });
    if (count === 0)
      throw new AppError("CONFLICT", "The relationship is running; stop it first (abort-replication), then delete it.");
    await recordAudit(tx, {
      actor: actor.username,
      action: "relationship.delete",
      target: relationship.id,
      detail: {
        local_directory_path: relationship.localDirectoryPath,
        bucket: relationship.bucket,
        object_folder: relationship.objectFolder,
      },
    });
  });
  // The files go once the rows are gone for good: a failed delete keeps the relationship whole,
  // and files left by a crash right here belong to no relationship and are never read again.
  const file = trackingFileFor(relationship.id);
  await Promise.all(
    [file, `${file}-wal`, `${file}-shm`, partialsJournalFor(relationship.id)].map((f) => fs.rm(f, { force: true })),
  );
}
