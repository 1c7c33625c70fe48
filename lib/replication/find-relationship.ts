import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { decryptSecret } from "@/lib/secrets/cipher";
import type { S3Settings } from "@/lib/s3/client";
import type { Relationship } from "@/generated/prisma/client";
import type { BucketStyle } from "./relationship-input";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findRelationship(id: string): Promise<Relationship> {
  const row = UUID.test(id) ? await db().relationship.findUnique({ where: { id } }) : null;
  if (!row) throw new AppError("NOT_FOUND", `No object relationship has the id "${id}".`);
  return row;
}

/** The settings a client needs, the secret decrypted only here, in the process that uses it. */
export function s3SettingsOf(row: Relationship): S3Settings {
  return {
    objectStoreAddress: row.objectStoreAddress,
    port: row.port,
    allowPlainHttp: row.allowPlainHttp,
    region: row.region,
    bucketStyle: row.bucketStyle as BucketStyle,
    caCertificate: row.caCertificate,
    accessKeyId: row.accessKeyId,
    secretAccessKey: decryptSecret(row.secretCiphertext),
  };
}
