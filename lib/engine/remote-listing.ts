import { DispositionError } from "@/lib/s3/disposition";
import { normaliseEtag } from "@/lib/s3/etag";
import type { ListedObject, ListPage, ObjectStore } from "@/lib/s3/object-store";
import { compareUtf8 } from "./key-order";
import type { KeyRange } from "./key-range";

export interface RemoteObject {
  /** Key with the relationship's folder removed. */
  relPath: string;
  size: bigint;
  etag: string;
  storageClass?: string;
  lastModified?: Date;
}

/**
 * A folder tracked with this many files or more per range is listed as parallel ranges, cut
 * where the tracked paths say the keys are (a repeat's listing is mostly what the last job left),
 * in both directions. Two pages a range at the least: 10,000 keys on Ceph took 320 ms as one
 * listing, 200 ms as four.
 */
export const LISTING_RANGE_FILES = 2_000;
export const LISTING_RANGES_MAX = 4;

/** A store listed a range out of key order, so ranges cut by key cannot be trusted on it. */
export class UnsortedListingError extends DispositionError {
  constructor() {
    // Listed again, whole (see copy-to-object's listBucket).
    super("retry", "the store does not list keys in order");
    this.name = "UnsortedListingError";
  }
}

export interface ListingOptions {
  signal?: AbortSignal;
  /** Relative paths, in key order, at which the folder is cut into ranges listed in parallel. */
  splits?: readonly string[];
  /** Only the keys of this range (relative to the folder); `splits` must fall inside it. */
  range?: KeyRange;
  pageSize?: number;
}

interface RangeLimits {
  after?: string;
  /** Keys before it are passed over (the start of a range that `after` cannot name exactly). */
  from?: string;
  /** The last key listed (included). */
  through?: string;
  /** The first key not listed (excluded). */
  before?: string;
  inOrder: boolean;
}

/**
 * Every object under the folder. Without `splits`, one listing in the store's order, the next
 * page requested while this one is consumed. With them, the folder is listed as that many ranges
 * plus one, in parallel, and objects arrive in no particular order: a million keys are a
 * thousand pages, each a round trip the store answers alone. A store that lists a range out of
 * key order makes it throw UnsortedListingError.
 */
export async function* listRemote(
  store: ObjectStore,
  bucket: string,
  folder: string,
  options: ListingOptions = {},
): AsyncGenerator<RemoteObject> {
  const bounds = (options.splits ?? []).map((split) => folder + split);
  const { range } = options;
  const from = range && range.lower !== "" ? folder + range.lower : undefined;
  const before = range?.upper === undefined ? undefined : folder + range.upper;
  const inOrder = bounds.length > 0 || range !== undefined;
  const ranges = [from === undefined ? undefined : shorter(from), ...bounds].map((after, i) =>
    listRange(
      store,
      bucket,
      folder,
      {
        after,
        from: i === 0 ? from : undefined,
        through: bounds[i],
        before: i === bounds.length ? before : undefined,
        inOrder,
      },
      options,
    ),
  );
  for await (const objects of interleave(ranges)) for (const object of objects) yield toRemote(object, folder);
}

/** The pages of the keys after `after` up to and including `through`. */
async function* listRange(
  store: ObjectStore,
  bucket: string,
  folder: string,
  range: RangeLimits,
  { signal, pageSize }: ListingOptions,
): AsyncGenerator<ListedObject[]> {
  const fetchPage = (token?: string): Promise<ListPage> =>
    store.listObjectsPage({ bucket, prefix: folder, token, startAfter: range.after, pageSize, signal });
  let previous = range.after;
  let next: Promise<ListPage> | undefined = fetchPage();
  while (next) {
    const page: ListPage = await next;
    let start = 0;
    let end = page.objects.length;
    if (range.inOrder) {
      for (const [i, object] of page.objects.entries()) {
        if (previous !== undefined && compareUtf8(object.key, previous) <= 0) throw new UnsortedListingError();
        previous = object.key;
        if (range.from !== undefined && compareUtf8(object.key, range.from) < 0) start = i + 1;
        if (end === page.objects.length && pastEnd(object.key, range)) end = i;
      }
    }
    next = page.nextToken && end === page.objects.length ? fetchPage(page.nextToken) : undefined;
    // Keep a rejected prefetch from surfacing as an unhandled rejection if we stop early.
    next?.catch(() => undefined);
    yield start === 0 && end === page.objects.length ? page.objects : page.objects.slice(start, Math.max(start, end));
  }
}

function pastEnd(key: string, range: RangeLimits): boolean {
  if (range.through !== undefined && compareUtf8(key, range.through) > 0) return true;
  return range.before !== undefined && compareUtf8(key, range.before) >= 0;
}

/**
 * A key listed from just before `key`: S3 lists after a key, never from one, so the listing
 * starts after `key` without its last character and passes over the few keys before `key`.
 */
function shorter(key: string): string {
  const last = key.codePointAt(key.length - 2);
  return key.slice(0, last !== undefined && last > 0xffff ? -2 : -1);
}

/** The items of several sources as each produces them; a failure of one ends all. */
async function* interleave<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  type Next = { index: number; result: IteratorResult<T> };
  const pending = new Map<number, Promise<Next>>();
  const pull = (index: number) => {
    const next = sources[index]!.next().then((result) => ({ index, result }));
    next.catch(() => undefined);
    pending.set(index, next);
  };
  sources.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      pending.delete(index);
      if (result.done) continue;
      pull(index);
      yield result.value;
    }
  } finally {
    await Promise.all(sources.map((source) => source.return(undefined).catch(() => undefined)));
  }
}

function toRemote(object: ListedObject, folder: string): RemoteObject {
  return {
    relPath: object.key.slice(folder.length),
    size: object.size,
    etag: normaliseEtag(object.etag),
    storageClass: object.storageClass,
    lastModified: object.lastModified,
  };
}
