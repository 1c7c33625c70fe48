import { getConfig } from "@/lib/config";
import { type Completions, type DoneMark } from "@/lib/engine/completions";
import { copyFromObject } from "@/lib/engine/copy-from-object";
import { copyToObject } from "@/lib/engine/copy-to-object";
import type { EngineEvent } from "@/lib/engine/events";
import type { CopyResult } from "@/lib/engine/job-failures";
import type { KeyRange } from "@/lib/engine/key-range";
import type { TrackingStore } from "@/lib/engine/tracking-store";
import { TreeHandle } from "@/lib/fs/beneath";
import { jobDirectoryPath } from "@/lib/fs/namespace";
import { MAX_KEY_BYTES } from "@/lib/engine/decide";
import { findRelationship, s3SettingsOf } from "@/lib/replication/find-relationship";
import { listRemote } from "@/lib/engine/remote-listing";
import { countEntries } from "@/lib/engine/count-entries";
import { createObjectStore } from "@/lib/s3/client";
import type { S3Store } from "@/lib/s3/s3-store";
import { parseAddress } from "@/lib/s3/endpoint";
import { partialsLedgerFor } from "./partial-directories";
import { BUFFER_BUDGET_BYTES, DOWNLOAD_SETTINGS, storeSockets, uploadSettings } from "./engine-settings";

/**
 * Runs the engine for one relationship: builds its inputs from the relationship's row, in either
 * direction. `attemptId` names what the attempt leaves behind (a snapshot): a job taken over, or a
 * unit, must not meet another attempt's.
 */
export async function executeCopy(
  relationshipId: string,
  attemptId: string,
  {
    tracking,
    signal,
    emit,
    unit,
  }: {
    tracking: TrackingStore;
    signal: AbortSignal;
    emit: (event: EngineEvent) => void;
    /** A work unit's keys, and what its earlier attempts did. */
    unit?: { range: KeyRange; completions: Completions; resumeFrom?: DoneMark };
  },
): Promise<CopyResult> {
  const config = getConfig();
  const relationship = await findRelationship(relationshipId);
  const directory = await jobDirectoryPath(relationship.localDirectoryPath);
  const settings = s3SettingsOf(relationship);
  const store = createObjectStore(settings, { maxSockets: storeSockets(config.transferConcurrency) });
  const common = {
    directory,
    directoryIno: BigInt(relationship.localDirectoryId),
    directoryBirthNs: relationship.localDirectoryBirthNs ? BigInt(relationship.localDirectoryBirthNs) : undefined,
    directoryLabel: `"${relationship.localDirectoryPath}"`,
    store,
    bucket: relationship.bucket,
    folder: relationship.objectFolder,
    tracking,
    signal,
    emit,
    concurrency: config.transferConcurrency,
    bufferBudgetBytes: BUFFER_BUDGET_BYTES,
  };
  try {
    if (relationship.direction === "COPY_FROM_OBJECT") {
      return await copyFromObject({
        ...common,
        ...unit,
        download: DOWNLOAD_SETTINGS,
        partials: partialsLedgerFor(relationship.id),
      });
    }
    return await copyToObject({
      ...common,
      jobId: attemptId,
      ...unit,
      // AWS verifies x-amz-checksum-sha256; other stores are sent Content-MD5, which all verify.
      transfer: uploadSettings(parseAddress(relationship.objectStoreAddress).host.endsWith(".amazonaws.com")),
    });
  } finally {
    store.destroy();
  }
}

/**
 * Opens the relationship's directory as the engine would (refusing one replaced since the
 * relationship was made), and what no key below it may exceed: for a walk apart from the engine's.
 */
export async function relationshipTree(
  relationshipId: string,
): Promise<{ open: () => TreeHandle; maxPathBytes: number }> {
  const relationship = await findRelationship(relationshipId);
  const directory = await jobDirectoryPath(relationship.localDirectoryPath);
  return {
    open: () =>
      TreeHandle.open(directory, {
        expectedIno: BigInt(relationship.localDirectoryId),
        expectedBirthNs: relationship.localDirectoryBirthNs ? BigInt(relationship.localDirectoryBirthNs) : undefined,
        label: `"${relationship.localDirectoryPath}"`,
      }),
    maxPathBytes: MAX_KEY_BYTES - Buffer.byteLength(relationship.objectFolder),
  };
}

/** The relationship's bucket and folder, with a store of its own: for a listing apart from the engine's. */
export async function relationshipFolder(
  relationshipId: string,
): Promise<{ store: S3Store; bucket: string; folder: string }> {
  const relationship = await findRelationship(relationshipId);
  return {
    store: createObjectStore(s3SettingsOf(relationship), { maxSockets: 4 }),
    bucket: relationship.bucket,
    folder: relationship.objectFolder,
  };
}

/**
 * How many keys a first copy would meet, up to `limit`: the tree's entries for a push (counted
 * from its directories' listings, nothing stat'ed), the folder's listing for a pull.
 */
export async function countRelationshipKeys(
  relationshipId: string,
  direction: string,
  limit: number,
  deadline: number,
): Promise<number> {
  let counted = 0;
  if (direction === "COPY_FROM_OBJECT") {
    const { store, bucket, folder } = await relationshipFolder(relationshipId);
    try {
      for await (const _ of listRemote(store, bucket, folder)) {
        if (++counted >= limit || performance.now() >= deadline) break;
      }
    } finally {
      store.destroy();
    }
    return counted;
  }
  const tree = (await relationshipTree(relationshipId)).open();
  try {
    return await countEntries(tree, limit, deadline);
  } finally {
    tree.close();
  }
}
