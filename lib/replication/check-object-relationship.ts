import fs from "node:fs/promises";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { db } from "@/lib/db/prisma";
import { AppError, validationError } from "@/lib/errors";
import { resolveLocalDirectoryId, resolveLocalDirectoryPath, type LocalDirectory } from "@/lib/fs/namespace";
import { endpointUrl } from "@/lib/s3/endpoint";
import { probeStore } from "./probe-store";
import { refuseOverlap } from "./directory-overlap";
import {
  createRelationshipSchema,
  inputProblems,
  type FieldProblem,
  type ValidCreateRelationshipInput,
} from "./relationship-input";

export const WARNING_CODES = ["empty_object_folder", "duplicate_relationship"] as const;

/** A likely mistake that does not stop a create: the caller may go on. */
export interface RelationshipWarning {
  code: (typeof WARNING_CODES)[number];
  message: string;
}

export interface CheckedRelationship {
  valid: ValidCreateRelationshipInput;
  directory: LocalDirectory;
  directoryField: "local_directory_path" | "local_directory_id";
  warnings: RelationshipWarning[];
}

export type Inspection =
  { problems: FieldProblem[]; checked?: undefined } | { problems: []; checked: CheckedRelationship };

/**
 * Every check a create runs, storing nothing: the fields, the directory, the endpoint rules, the
 * bucket probe (credentials, TLS, Object Lock for copies into S3), and the warnings. With `all`,
 * the directory and the object store are both checked even when one fails, so a form can show
 * every problem at once; without it the first problem ends the checks (no connection is made for
 * a request whose directory is wrong).
 */
export async function inspectObjectRelationship(input: unknown, { all }: { all: boolean }): Promise<Inspection> {
  const problems = inputProblems(input);
  if (problems.length > 0) return { problems };
  const valid = createRelationshipSchema.parse(input);

  const local = await settle(() => checkDirectory(valid));
  if (local.problem && !all) return { problems: [local.problem] };
  const remote = await settle(() => checkObjectStore(valid));
  const found = [local.problem, remote.problem].filter((p): p is FieldProblem => p !== undefined);
  if (found.length > 0) return { problems: found };

  const { directory, directoryField } = local.value!;
  const duplicate = await duplicateWarning(valid, directory);
  const warnings = [...(remote.value ?? []), ...(duplicate ? [duplicate] : [])];
  return { problems: [], checked: { valid, directory, directoryField, warnings } };
}

/** The same checks for the API and for create: the first problem is thrown as a 400 naming its field. */
export async function checkObjectRelationship(input: unknown): Promise<CheckedRelationship> {
  const { problems, checked } = await inspectObjectRelationship(input, { all: false });
  if (checked) return checked;
  const [first] = problems;
  throw validationError(first!.field, first!.message);
}

async function settle<T>(check: () => Promise<T>): Promise<{ value?: T; problem?: FieldProblem }> {
  try {
    return { value: await check() };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "VALIDATION" || !error.field) throw error;
    const prefix = `${error.field}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { problem: { field: error.field, message } };
  }
}

async function checkDirectory(valid: ValidCreateRelationshipInput) {
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
  // Said here too, before anything is stored; create checks it again in its transaction.
  await refuseOverlap(db(), "", valid.direction, directory.namespacePath, directoryField);
  return { directory, directoryField } as const;
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

async function checkObjectStore(valid: ValidCreateRelationshipInput): Promise<RelationshipWarning[]> {
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
  const pull = valid.direction === "COPY_FROM_OBJECT";
  const empty = await probeStore(
    settings,
    { bucket: valid.bucket, objectFolder: valid.object_folder, direction: valid.direction },
    (client) => (pull ? emptyFolderWarning(client, valid.bucket, valid.object_folder) : Promise.resolve(undefined)),
  );
  return empty ? [empty] : [];
}

/**
 * A pull of a folder with nothing in it succeeds with no file, which is most often a mistyped
 * folder (S3 has no folders: a prefix without keys and one that "does not exist" are the same).
 */
async function emptyFolderWarning(
  client: S3Client,
  bucket: string,
  folder: string,
): Promise<RelationshipWarning | undefined> {
  let listing;
  try {
    listing = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, MaxKeys: 1 }));
  } catch {
    return undefined; // the probe's own listing has just passed: a warning is not worth a failure
  }
  if ((listing.Contents?.length ?? 0) > 0 || (listing.KeyCount ?? 0) > 0) return undefined;
  return {
    code: "empty_object_folder",
    message: folder
      ? `folder "${folder}" of bucket "${bucket}" holds no objects (or does not exist); copying from it brings nothing.`
      : `bucket "${bucket}" holds no objects; copying from it brings nothing.`,
  };
}

/** The same directory copied to the same bucket folder of the same store twice is most often a slip. */
async function duplicateWarning(
  valid: ValidCreateRelationshipInput,
  directory: LocalDirectory,
): Promise<RelationshipWarning | undefined> {
  const twin = await db().relationship.findFirst({
    where: {
      direction: valid.direction,
      localDirectoryPath: directory.namespacePath,
      objectStoreAddress: valid.object_store_address,
      port: valid.port,
      bucket: valid.bucket,
      objectFolder: valid.object_folder,
    },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  if (!twin) return undefined;
  const where = `bucket "${valid.bucket}", folder "${valid.object_folder || "/"}"`;
  return {
    code: "duplicate_relationship",
    message: `relationship ${twin.id} already copies "${directory.namespacePath}" ${valid.direction === "COPY_TO_OBJECT" ? "to" : "from"} ${where} at this object store.`,
  };
}

/** Every setting that decides where data goes, as checked: what a person confirms before a create. */
export function whereDataGoes({ valid, directory }: CheckedRelationship) {
  return {
    direction: valid.direction,
    local_directory_path: directory.namespacePath,
    endpoint_url: endpointUrl({ objectStoreAddress: valid.object_store_address, port: valid.port }),
    bucket_style: valid.bucket_style,
    region: valid.region,
    bucket: valid.bucket,
    object_folder: valid.object_folder,
    ca_certificate: valid.ca_certificate !== null,
  };
}

export type WhereDataGoes = ReturnType<typeof whereDataGoes>;
