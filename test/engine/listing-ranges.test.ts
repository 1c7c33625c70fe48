// A folder listed as parallel ranges (a repeat of a large tree): every key exactly once, and a
// store that does not list in key order is found out rather than trusted.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { compareUtf8 } from "@/lib/engine/key-order";
import { listRemote, UnsortedListingError, type RemoteObject } from "@/lib/engine/remote-listing";
import { engineStore } from "../support/engine-harness";
import { isListing, reverseEntries } from "../support/listing-xml";
import { useProxiedS3 } from "../support/proxied-s3";

const BUCKET = "ranges-bucket";
const FOLDER = "tree/";
const lab = useProxiedS3(BUCKET);

// Enough keys for several pages of 7 in every range. (s3rver lists its directories as it walks
// them, not in S3's UTF-8 byte order: names such as "a" beside "a/b" or beyond U+FFFF are listed
// out of order, so the ranges over such names are tested on Ceph.)
const names = [...Array.from({ length: 90 }, (_, i) => `d${i % 3}/f${String(i).padStart(3, "0")}.txt`), "x/y", "x/z"];

async function collect(objects: AsyncIterable<RemoteObject>): Promise<string[]> {
  const paths: string[] = [];
  for await (const object of objects) paths.push(object.relPath);
  return paths;
}

beforeAll(async () => {
  for (const name of names) await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: FOLDER + name, Body: name }));
  await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "treeless", Body: "outside the folder" }));
});

describe("listing a folder as parallel ranges", () => {
  it("finds every key exactly once, across ranges of many pages cut at keys present and absent", async () => {
    const store = engineStore(lab.proxy.endpoint);
    // Cut at keys that exist and at one that does not.
    const splits = ["d0/f030.txt", "d1/zzz", "x/y"];

    const ranged = await collect(listRemote(store, BUCKET, FOLDER, { splits, pageSize: 7 }));

    expect(ranged).toHaveLength(names.length);
    expect([...ranged].sort(compareUtf8)).toEqual([...names].sort(compareUtf8));
    const starts = lab.proxy.requests.filter((r) => isListing(r.query) && !r.query.has("continuation-token"));
    expect(starts.map((r) => r.query.get("start-after") ?? "").sort()).toEqual(
      ["", ...splits.map((s) => FOLDER + s)].sort(),
    );
    expect(lab.proxy.requests.filter((r) => isListing(r.query)).length).toBeGreaterThan(names.length / 7);
    store.destroy();
  });

  it("finds out that s3rver does not list in S3's key order", async () => {
    const store = engineStore(lab.proxy.endpoint);
    const folder = "walked/";
    for (const name of ["a", "a/b", "c"])
      await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: folder + name, Body: name }));

    // s3rver lists "a/b" before "a".
    await expect(collect(listRemote(store, BUCKET, folder, { splits: ["a"] }))).rejects.toBeInstanceOf(
      UnsortedListingError,
    );
    store.destroy();
  });

  it("does not trust ranges on a store that lists out of key order", async () => {
    const store = engineStore(lab.proxy.endpoint);
    lab.proxy.rewriter = (request, body) => (isListing(request.query) ? reverseEntries(body) : undefined);

    await expect(
      collect(listRemote(store, BUCKET, FOLDER, { splits: ["d1/f050.txt"], pageSize: 7 })),
    ).rejects.toBeInstanceOf(UnsortedListingError);
    // One listing in the store's own order is accepted as it comes (the job sorts it itself).
    expect((await collect(listRemote(store, BUCKET, FOLDER, { pageSize: 7 }))).sort(compareUtf8)).toEqual(
      [...names].sort(compareUtf8),
    );
    store.destroy();
  });
});
