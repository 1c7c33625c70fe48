import fs from "node:fs/promises";
import { recordAudit } from "@/lib/auth/audit";
import type { Principal } from "@/lib/auth/privileges";
import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/errors";
import { resolveLocalDirectoryId, resolveLocalDirectoryPath } from "@/lib/fs/namespace";
import { createS3Client } from "@/lib/s3/client";
import { plainHttpRefusal } from "@/lib/s3/endpoint";
import { probeBucket } from "@/lib/s3/probe-bucket";
import { encryptSecret } from "@/lib/secrets/cipher";
import { parseInput } from "@/lib/validation";
import { refuseOverlap } from "./directory-overlap";
import { JOB_STATES } from "./job-states";
import { createRelationshipSchema } from "./relationship-input";
import { relationshipView } from "./views";

/**
 * Validates everything before storing anything (directory, endpoint, credentials, bucket,
 * Object Lock for copies into S3, overlap for copies from S3), then stores the relationship, queues its first job and records the audit row in one transaction.
 */
export async function createObjectRelationship({ input, actor }: { input: unknown; actor: Principal }) {
  const valid = parseInput(createRelationshipSchema, input);
  const directoryField = valid.local_directory_path ? "local_directory_path" : "local_directory_id";
  const directory = valid.local_directory_path
    ? await resolveLocalDirectoryPath(valid.local_directory_path)
    : await resolveLocalDirectoryId(valid.local_directory_id!);
  if (valid.local_directory_path && valid.local_directory_id && valid.local_directory_id !== directory.inode) {
    throw validationError(
      "local_directory_id",
      `does not match local_directory_path (whose inode is ${directory.inode}).`,
    );
  }
  if (valid.direction === "COPY_FROM_OBJECT")
    await refuseUnwritable(directory.hostPath, directory.namespacePath, directoryField);

  const settings = {
    objectStoreAddress: valid.object_store_address,
    port: valid.port,
    allowPlainHttp: valid.allow_plain_http,
    region: valid.region,
    bucketStyle: valid.bucket_style,
    caCertificate: valid.ca_certificate,
    accessKeyId: valid.access_key_id,
    secretAccessKey: valid.secret_access_key,
  };
  const refusal = plainHttpRefusal(settings);
  if (refusal) throw validationError("object_store_address", refusal);
  const client = createS3Client(settings, { maxAttempts: 2, connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 });
  try {
    await probeBucket({
      client,
      bucket: valid.bucket,
      objectFolder: valid.object_folder,
      checkObjectLock: valid.direction === "COPY_TO_OBJECT",
    });
  } finally {
    client.destroy();
  }

  // The rows are written first and the overlap checked after, inside the same transaction: a
  // SQLite transaction that starts with a write waits for other writers, one that starts with a
  // read fails when it later writes after them; and two overlapping creates cannot both pass.
  const relationship = await db().$transaction(async (tx) => {
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
      },
    });
    return row;
  });
  return relationshipView(relationship);
}

async function refuseUnwritable(hostPath: string, namespacePath: string, field: string): Promise<void> {
  try {
    await fs.access(hostPath, fs.constants.W_OK);
  } catch {
    throw validationError(
      field,
      `"${namespacePath}" cannot be written by the service (permission denied); a copy from S3 writes into it.`,
    );
  }
}
