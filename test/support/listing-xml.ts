/**
 * Edits a ListObjectsV2 reply on its way from the store, for keys or storage classes that the
 * test store cannot hold itself (s3rver normalises "..", refuses "//" and lists every object as
 * STANDARD). The client sees them exactly as a store that holds them would list them.
 */
export interface ListedEntry {
  key: string;
  size: number;
  etag?: string;
  storageClass?: string;
}

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function isListing(query: URLSearchParams): boolean {
  return query.get("list-type") === "2";
}

/** Listing requests that start a range after a key (a repeat lists its folder as parallel ranges). */
export const rangeListingStarts = (requests: { query: URLSearchParams }[]): number =>
  requests.filter((r) => isListing(r.query) && r.query.has("start-after")).length;

/** Listing requests that start at the folder's beginning (not a range, not a next page). */
export const wholeListingStarts = (requests: { query: URLSearchParams }[]): number =>
  requests.filter((r) => isListing(r.query) && !r.query.has("start-after") && !r.query.has("continuation-token"))
    .length;

export function addEntries(xml: string, entries: ListedEntry[]): string {
  const blocks = entries
    .map(
      (e) =>
        `<Contents><Key>${escapeXml(e.key)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
        `<ETag>&quot;${e.etag ?? "0123456789abcdef0123456789abcdef"}&quot;</ETag><Size>${e.size}</Size>` +
        `<StorageClass>${e.storageClass ?? "STANDARD"}</StorageClass></Contents>`,
    )
    .join("");
  return xml.replace("</ListBucketResult>", `${blocks}</ListBucketResult>`);
}

/** Changes the listed storage class (or, with `etag`, the listed ETag) of one key. */
export function editEntry(xml: string, key: string, change: { storageClass?: string; etag?: string }): string {
  return xml.replace(/<Contents>[\s\S]*?<\/Contents>/g, (block) => {
    if (!block.includes(`<Key>${escapeXml(key)}</Key>`)) return block;
    let edited = block;
    if (change.storageClass)
      edited = edited.replace(
        /<StorageClass>[^<]*<\/StorageClass>/,
        `<StorageClass>${change.storageClass}</StorageClass>`,
      );
    if (change.etag) edited = edited.replace(/<ETag>[^<]*<\/ETag>/, `<ETag>&quot;${change.etag}&quot;</ETag>`);
    return edited;
  });
}

/** The same entries in the opposite order, as a store that does not list in key order might send them. */
export function reverseEntries(xml: string): string {
  const blocks = xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? [];
  let index = blocks.length;
  return xml.replace(/<Contents>[\s\S]*?<\/Contents>/g, () => blocks[--index]!);
}
