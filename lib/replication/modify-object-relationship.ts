import { z } from "zod";
import { recordAudit } from "@/lib/auth/audit";
import type { Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { S3Settings } from "@/lib/s3/client";
import { encryptSecret } from "@/lib/secrets/cipher";
import { parseInput } from "@/lib/validation";
import { findRelationship, s3SettingsOf } from "./find-relationship";
import { probeStore } from "./probe-store";
import type { Direction } from "./relationship-input";
import { relationshipView } from "./views";

/**
 * What `PATCH …/{id}` may change. Every field is optional; the relationship keeps its tracking
 * state whatever changes, so no file is copied again because of it.
 */
export const modifyRelationshipSchema = z
  .object({
    access_key_id: z.string().min(1).max(256).optional(),
    secret_access_key: z.string().min(1).max(1024).optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    // Each access key has its own secret: a new key with the old secret cannot be right.
    if (input.access_key_id !== undefined && input.secret_access_key === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["secret_access_key"],
        message: "is required with a new access_key_id (each access key has its own secret)",
      });
    }
  });

/**
 * Changes a relationship's settings; new credentials are checked against the store (the same
 * checks as at creation) before anything is saved, and the change and its audit row commit
 * together. A job already running keeps the credentials it started with; the next one uses the new.
 */
export async function modifyObjectRelationship({ id, input, actor }: { id: string; input: unknown; actor: Principal }) {
  const relationship = await findRelationship(id);
  const valid = parseInput(modifyRelationshipSchema, input);
  const changed = Object.keys(valid).filter((key) => valid[key as keyof typeof valid] !== undefined);
  if (changed.length === 0) {
    throw new AppError("VALIDATION", "body: give at least one setting to change (access_key_id, secret_access_key).", {
      field: "body",
    });
  }

  if (valid.secret_access_key !== undefined) {
    const settings: S3Settings = {
      ...s3SettingsOf(relationship),
      accessKeyId: valid.access_key_id ?? relationship.accessKeyId,
      secretAccessKey: valid.secret_access_key,
    };
    await probeStore(settings, {
      bucket: relationship.bucket,
      objectFolder: relationship.objectFolder,
      direction: relationship.direction as Direction,
    });
  }

  const updated = await db()
    .$transaction(async (tx) => {
      const row = await tx.relationship.update({
        where: { id: relationship.id },
        data: {
          ...(valid.access_key_id !== undefined ? { accessKeyId: valid.access_key_id } : {}),
          ...(valid.secret_access_key !== undefined
            ? { secretCiphertext: encryptSecret(valid.secret_access_key) }
            : {}),
        },
      });
      await recordAudit(tx, {
        actor: actor.username,
        action: "relationship.modify",
        target: row.id,
        // The secret is named as changed, never shown.
        detail: { changed, ...(valid.access_key_id !== undefined ? { access_key_id: valid.access_key_id } : {}) },
      });
      return row;
    })
    .catch((error: unknown) => {
      // Deleted between the check and the write.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") {
        throw new AppError("NOT_FOUND", `No object relationship has the id "${id}".`);
      }
      throw error;
    });
  return relationshipView(updated);
}
