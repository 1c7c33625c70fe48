import { placeKey, storageClassRefusal } from "./key-path";
import type { KeyRange } from "./key-range";
import { RemoteIndex, type ListingTotals } from "./remote-index";
import { listRemote, type RemoteObject } from "./remote-listing";
import type { ObjectStore } from "@/lib/s3/object-store";

/** Refused keys kept for the job's file errors; the count goes on past it. */
const MAX_LISTED_REFUSALS = 1000;

export interface Refusal {
  object: RemoteObject;
  reason: string;
}

export interface CheckedFolder {
  listing: RemoteIndex;
  totals: ListingTotals;
  /** Every key refused (`refusals` holds the first of them). */
  refused: number;
  refusals: Refusal[];
}

/**
 * Lists a folder (or a range of it) into an index and checks every key: one that cannot become a
 * file here, or that would have to be a file and a directory at once, is refused. A copy from S3
 * writes nothing unless nothing is refused. The caller closes the listing.
 */
export async function listAndCheckFolder(
  store: ObjectStore,
  bucket: string,
  folder: string,
  options: { signal: AbortSignal; splits: readonly string[]; range?: KeyRange },
): Promise<CheckedFolder> {
  const refusals: Refusal[] = [];
  let refused = 0;
  const refuse = (object: RemoteObject, reason: string) => {
    refused++;
    if (refusals.length < MAX_LISTED_REFUSALS) refusals.push({ object, reason });
  };
  const listing = new RemoteIndex();
  try {
    const totals = await listing.fill(listRemote(store, bucket, folder, options), (object) => {
      const placement = placeKey(object);
      const reason = placement.kind === "refused" ? placement.reason : storageClassRefusal(object);
      if (reason) refuse(object, reason);
    });
    for (const conflict of listing.fileDirectoryConflicts(MAX_LISTED_REFUSALS)) {
      refuse(
        { relPath: conflict.file, size: 0n, etag: "" },
        `is a file, yet "${folder}${conflict.inside}" needs it to be a directory`,
      );
    }
    return { listing, totals, refused, refusals };
  } catch (error) {
    listing.close();
    throw error;
  }
}

/** Each refused key's file error, as the job lists it. */
export function refusalErrors(folder: string, refusals: Refusal[]) {
  return refusals.map(({ object, reason }) => ({
    type: "file-failed" as const,
    path: object.relPath,
    size: object.size,
    message: `the key "${folder}${object.relPath}" ${reason}`,
  }));
}

/** Why the whole folder is refused, naming the first key. */
export function refusedFolderMessage(folder: string, checked: Pick<CheckedFolder, "refused" | "refusals">): string {
  const first = checked.refusals[0]!;
  const more = checked.refused - 1;
  const others = more > 0 ? ` (and ${more} more key${more === 1 ? "" : "s"}, see the job's file errors)` : "";
  return `The folder cannot be copied: the key "${folder}${first.object.relPath}" ${first.reason}${others}. Nothing was downloaded.`;
}
