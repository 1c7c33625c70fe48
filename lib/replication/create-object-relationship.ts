import { recordAudit } from "@/lib/auth/audit";
import type { Principal } from "@/lib/auth/privileges";
import { oneAtATime } from "@/lib/db/one-at-a-time";
import { db } from "@/lib/db/prisma";
import { encryptSecret } from "@/lib/secrets/cipher";
import { checkObjectRelationship } from "./check-object-relationship";
import { refuseOverlap } from "./directory-overlap";
import { JOB_STATES } from "./job-states";
import { relationshipView } from "./views";

/**
 * Runs every check first (checkObjectRelationship: directory, endpoint, credentials, bucket,
 * Object Lock for copies into S3), then stores the relationship, queues its first job and records
 * the audit row in one transaction, where the overlap of copies from S3 is checked. The warnings
 * of the checks come back with the relationship: a likely mistake is said, not refused.
 */
export async function createObjectRelationship({ input, actor }: { input: unknown; actor: Principal }) {
  const { valid, directory, directoryField, warnings } = await checkObjectRelationship(input);

  // The rows are written first and the overlap checked after, inside the same transaction: a
  // SQLite transaction that starts with a write waits for other writers, one that starts with a
  // read fails when it later writes after them; and two overlapping creates cannot both pass
  // (on PostgreSQL, because they take turns on a lock first).
  const relationship = await db().$transaction(async (tx) => {
    await oneAtATime(tx, "relationship.create");
    const row = await tx.relationship.create({
      data: {
        direction: valid.direction,
        localDirectoryId: directory.inode,
        localDirectoryBirthNs: directory.birthNs,
        localDirectoryPath: directory.namespacePath,
        objectStoreAddress: valid.object_store_address,
        port: valid.port,
        caCertificate: valid.ca_certificate,
        bucket: valid.bucket,
        bucketStyle: valid.bucket_style,
        objectFolder: valid.object_folder,
        region: valid.region,
        accessKeyId: valid.access_key_id,
        secretCiphertext: encryptSecret(valid.secret_access_key),
        allowPlainHttp: valid.allow_plain_http,
        createdBy: actor.username,
      },
    });
    await refuseOverlap(tx, row.id, valid.direction, directory.namespacePath, directoryField);
    await tx.job.create({ data: { relationshipId: row.id, state: JOB_STATES.QUEUED } });
    await recordAudit(tx, {
      actor: actor.username,
      action: "relationship.create",
      target: row.id,
      detail: {
        direction: row.direction,
        local_directory_path: row.localDirectoryPath,
        bucket: row.bucket,
        object_folder: row.objectFolder,
        ...(warnings.length > 0 ? { warnings: warnings.map((w) => w.code) } : {}),
      },
    });
    return row;
  });
  return { ...relationshipView(relationship), warnings };
}
