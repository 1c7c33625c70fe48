// Tracking state shared through PostgreSQL: each worker's local copy and the packed rows agree,
// whichever host wrote last, whatever was cut short; and the rows cost under 100 bytes a file.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { compareUtf8 } from "@/lib/engine/key-order";
import { decodePack } from "@/lib/engine/tracking-pack";
import { TrackingStore, type TrackedFile } from "@/lib/engine/tracking-store";
import { PACK_FILES, SharedTracking } from "@/lib/jobs/shared-tracking";
import { newRelationship, useMigratedPostgres } from "../support/postgres-rows";

let dir: string;
const stores: TrackingStore[] = [];

useMigratedPostgres("tracking");
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-shared-tracking-"));
});
afterAll(() => {
  for (const store of stores) store.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A worker's local copy: a tracking file of its own, as on another host. */
function hostStore(): TrackingStore {
  const store = new TrackingStore(path.join(dir, `${crypto.randomUUID()}.db`));
  stores.push(store);
  return store;
}

function file(i: number, tag = "a"): TrackedFile {
  const mtimeNs = 1_764_000_000_000_000_000n + BigInt(i) * 1_000_003n;
  return {
    path: `projects/run-${String(Math.floor(i / 200)).padStart(4, "0")}/sample-${String(i).padStart(7, "0")}.dat`,
    size: BigInt(4096 + (i % 7)),
    mtimeNs,
    ctimeNs: mtimeNs,
    ino: BigInt(7_000_000 + i),
    etagTag: crypto.hash("sha256", `${tag}${i}`, "hex").slice(0, 16),
    sha256: crypto.createHash("sha256").update(`${tag}${i}`).digest(),
  };
}

type Write = Awaited<ReturnType<SharedTracking["writeIn"]>>;

/** Writes `shared`'s changes in a transaction of their own (running `during` inside it), and returns the write once committed. */
async function writeCommitted(shared: SharedTracking, during?: () => void): Promise<Write> {
  let write: Write | undefined;
  await db().$transaction(async (tx) => {
    write = await shared.writeIn(tx);
    during?.();
  });
  return write!;
}

async function commit(shared: SharedTracking): Promise<void> {
  (await writeCommitted(shared)).committed();
}

/** A new host's copy, fetched from the database, holds exactly what `a` holds. */
async function expectAnotherHostMatches(id: string, a: TrackingStore): Promise<TrackingStore> {
  const b = hostStore();
  await SharedTracking.open(id, b);
  expect(await all(b)).toEqual(await all(a));
  return b;
}

async function all(store: TrackingStore): Promise<TrackedFile[]> {
  const out: TrackedFile[] = [];
  for await (const row of store.rows()) out.push(row);
  return out;
}

async function packs(relationshipId: string) {
  const rows = await db().trackingPack.findMany({ where: { relationshipId } });
  return rows.sort((a, b) => compareUtf8(a.lowerBound, b.lowerBound));
}

describe("tracking shared through PostgreSQL", () => {
  it("reaches another host whole, in packs of at most twice 512 files covering every key once", async () => {
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    for (let i = 0; i < 3000; i++) a.put(file(i));
    expect(shared.hasChanges()).toBe(true);
    await commit(shared);
    expect(shared.hasChanges()).toBe(false);

    const rows = await packs(id);
    expect(rows[0]!.lowerBound).toBe("");
    expect(rows.every((p) => p.files <= 2 * PACK_FILES && p.files === decodePack(Buffer.from(p.body)).length)).toBe(
      true,
    );
    const packed = rows.flatMap((p) => decodePack(Buffer.from(p.body)).map((f) => ({ f, bound: p.lowerBound })));
    expect(packed.map(({ f }) => f.path)).toEqual(Array.from({ length: 3000 }, (_, i) => file(i).path));
    // Each file lies in its own pack's range.
    for (let i = 1; i < rows.length; i++) {
      const inRange = packed.filter(({ f }) => compareUtf8(f.path, rows[i]!.lowerBound) >= 0);
      expect(inRange.every(({ bound }) => compareUtf8(bound, rows[i]!.lowerBound) >= 0)).toBe(true);
    }

    await expectAnotherHostMatches(id, a);
  });

  it("writes back only the ranges that changed, and removes a range left empty", async () => {
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    for (let i = 0; i < 3000; i++) a.put(file(i));
    await commit(shared);
    const first = await packs(id);

    a.put(file(10, "changed"));
    for (let i = 1024; i < 3000; i++) a.forget(file(i).path);
    await commit(shared);
    const second = await packs(id);
    expect(second[0]!.digest).not.toBe(first[0]!.digest);
    expect(second.length).toBeLessThan(first.length);
    expect(second.reduce((n, p) => n + p.files, 0)).toBe(1024);

    // A third write of nothing new leaves every row as it is.
    a.put(file(10, "changed"));
    await commit(shared);
    expect((await packs(id)).map((p) => p.digest)).toEqual(second.map((p) => p.digest));

    const b = await expectAnotherHostMatches(id, a);
    expect((await all(b)).find((f) => f.path === file(10).path)?.etagTag).toBe(file(10, "changed").etagTag);
  });

  it("keeps nothing of a write whose transaction failed (a lease lost), and sends the change again with the next", async () => {
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    a.put(file(1));
    await commit(shared);
    const before = await packs(id);

    a.put(file(2));
    let write: Write | undefined;
    await expect(
      db().$transaction(async (tx) => {
        write = await shared.writeIn(tx);
        throw new Error("the job was taken over");
      }),
    ).rejects.toThrow("taken over");
    write!.rolledBack();
    expect((await packs(id)).map((p) => p.digest)).toEqual(before.map((p) => p.digest));

    expect(shared.hasChanges()).toBe(true);
    await commit(shared);
    const b = hostStore();
    await SharedTracking.open(id, b);
    expect((await all(b)).map((f) => f.path)).toEqual([file(1).path, file(2).path]);
  });

  it("writes again a range changed while its write was on the way, with the ranges cut from it", async () => {
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    for (let i = 0; i < 2000; i++) a.put(file(i));
    const write = await writeCommitted(shared, () => {
      // The engine goes on while the write is on its way: into the range being cut in four.
      a.put(file(1999, "late"));
      a.flush();
    });
    write.committed();
    expect(shared.hasChanges()).toBe(true);
    await commit(shared);

    const b = await expectAnotherHostMatches(id, a);
    expect((await all(b)).find((f) => f.path === file(1999).path)?.etagTag).toBe(file(1999, "late").etagTag);
  });

  it("fetches a host's copy again when it holds changes that never reached the database", async () => {
    const id = await newRelationship();
    const file1 = path.join(dir, `${crypto.randomUUID()}.db`);
    const a = new TrackingStore(file1);
    const shared = await SharedTracking.open(id, a);
    a.put(file(1));
    await commit(shared);
    // Written here, then the worker lost its job (or was killed) before its next write.
    a.put(file(2));
    a.flush();
    a.close();

    const reopened = new TrackingStore(file1);
    stores.push(reopened);
    await SharedTracking.open(id, reopened);
    expect((await all(reopened)).map((f) => f.path)).toEqual([file(1).path]);
  });

  it("shares a host's tracking file from before the database was shared as it opens, in a transaction of its own", async () => {
    const id = await newRelationship();
    const a = hostStore();
    for (let i = 0; i < 1500; i++) a.put(file(i));
    a.flush();
    const shared = await SharedTracking.open(id, a);
    // Shared already, apart from any job's write, and this copy is known to match.
    expect((await packs(id)).reduce((n, p) => n + p.files, 0)).toBe(1500);
    expect(shared.hasChanges()).toBe(false);
    expect(a.count()).toBe(1500);
    await expectAnotherHostMatches(id, a);
  });

  it("after a write whose reply was lost (committed, though it seemed to fail), leaves no pack overlapping another", async () => {
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    for (let i = 0; i < 3000; i++) a.put(file(i));
    const write = await writeCommitted(shared);
    // The commit's reply never came: the worker believes it failed.
    write.rolledBack();
    // Its next write cuts the range elsewhere: a file fewer at its start.
    a.forget(file(0).path);
    await commit(shared);
    const rows = await packs(id);
    const paths = rows.flatMap((p) => decodePack(Buffer.from(p.body)).map((f) => f.path));
    expect(paths).toEqual(Array.from({ length: 2999 }, (_, i) => file(i + 1).path));
    for (let i = 0; i < rows.length; i++) {
      const own = decodePack(Buffer.from(rows[i]!.body));
      const next = rows[i + 1]?.lowerBound;
      for (const f of own) {
        expect(compareUtf8(f.path, rows[i]!.lowerBound)).toBeGreaterThanOrEqual(0);
        if (next !== undefined) expect(compareUtf8(f.path, next)).toBeLessThan(0);
      }
    }
    await expectAnotherHostMatches(id, a);
  });

  it("shares a multipart upload's record, its parts as they are confirmed, and its end", async () => {
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    const { path: big, ...fingerprint } = file(42);
    a.beginUpload(big, { ...fingerprint, uploadId: "upload-1", partSize: 8 * 1024 * 1024 });
    a.partDone("upload-1", 1, '"etag-1"');
    a.partDone("upload-1", 2, '"etag-2"');
    expect(shared.hasChanges()).toBe(true);
    await commit(shared);
    expect(shared.hasChanges()).toBe(false);

    // Another host resumes it from the shared record; its own stale record is replaced.
    const b = hostStore();
    b.beginUpload(big, { ...fingerprint, uploadId: "stale", partSize: 8 * 1024 * 1024 });
    await SharedTracking.open(id, b);
    expect(b.pendingUpload(big)).toEqual(a.pendingUpload(big));
    expect(b.pendingUpload(big)?.parts).toEqual(
      new Map([
        [1, '"etag-1"'],
        [2, '"etag-2"'],
      ]),
    );

    // A part confirmed here after the last write, and an upload begun and never shared (a worker
    // killed in between), are kept by this host's next job: the store confirmed them.
    a.partDone("upload-1", 3, '"etag-3"');
    const { path: other, ...otherFingerprint } = file(43);
    a.beginUpload(other, { ...otherFingerprint, uploadId: "upload-2", partSize: 8 * 1024 * 1024 });
    const again = hostStore();
    again.replaceUploads(a.uploadPaths().map((p) => [p, a.pendingUpload(p)!]));
    await SharedTracking.open(id, again);
    expect(again.pendingUpload(big)?.parts.get(3)).toBe('"etag-3"');
    expect(again.pendingUpload(other)?.uploadId).toBe("upload-2");

    // A record the database cannot read is not resumed from.
    await db().trackingUpload.update({
      where: { relationshipId_path: { relationshipId: id, path: big } },
      data: { record: "{" },
    });
    const c = hostStore();
    await SharedTracking.open(id, c);
    expect(c.pendingUpload(big)).toBeUndefined();

    a.endUpload(big);
    await commit(shared);
    // Ended here: its record goes; the other upload, begun here since, is shared with this write.
    const left = await db().trackingUpload.findMany({ where: { relationshipId: id }, select: { path: true } });
    expect(left.map((r) => r.path)).toEqual([other]);
  });

  it("costs under 100 bytes a file in PostgreSQL, table, TOAST and indexes together", async () => {
    await db().$executeRawUnsafe(`DELETE FROM "TrackingPack"`);
    await db().$executeRawUnsafe(`VACUUM FULL "TrackingPack"`);
    const id = await newRelationship();
    const a = hostStore();
    const shared = await SharedTracking.open(id, a);
    const files = 50_000;
    for (let i = 0; i < files; i++) a.put(file(i));
    await commit(shared);
    const [{ bytes }] = await db().$queryRawUnsafe<[{ bytes: bigint }]>(
      `SELECT pg_total_relation_size('"TrackingPack"') AS bytes`,
    );
    const perFile = Number(bytes) / files;
    console.log(
      `tracking in PostgreSQL: ${Number(bytes)} bytes for ${files} files, ${perFile.toFixed(1)} bytes a file`,
    );
    expect(perFile).toBeLessThan(100);
  }, 60_000);

  it("work units on two hosts each fetch and write their own range: no pack crosses a unit's bound, and a new host's copy holds both", async () => {
    const id = await newRelationship();
    const first = hostStore();
    const whole = await SharedTracking.open(id, first);
    for (let i = 0; i < 4_000; i++) first.put(file(i));
    await commit(whole);
    // Units start at packs' bounds (lib/jobs/units/plan-units.ts).
    const cut = (await packs(id))[3]!.lowerBound;
    const ranges = [{ lower: "", upper: cut }, { lower: cut }];
    const inRange = (path: string, r: { lower: string; upper?: string }) =>
      compareUtf8(path, r.lower) >= 0 && (r.upper === undefined || compareUtf8(path, r.upper) < 0);

    const hosts = [hostStore(), hostStore()];
    const units = await Promise.all(ranges.map((range, u) => SharedTracking.open(id, hosts[u]!, range)));
    for (const [u, host] of hosts.entries())
      expect((await all(host)).every((f) => inRange(f.path, ranges[u]!))).toBe(true);
    // Each unit changes every third file of its range and adds files beyond the old ones (the second).
    const expected = new Map<string, TrackedFile>();
    for (let i = 0; i < 4_000; i++) expected.set(file(i).path, file(i));
    for (let i = 0; i < 5_000; i++) {
      const u = inRange(file(i).path, ranges[0]!) ? 0 : 1;
      if (i % 3 !== 0 && i < 4_000) continue;
      const changed = file(i, u === 0 ? "b" : "c");
      hosts[u]!.put(changed);
      expected.set(changed.path, changed);
    }
    // Both commit at once, each in its own transaction.
    await Promise.all(units.map((unit) => commit(unit)));

    for (const pack of await packs(id)) {
      const range = ranges.find((r) => inRange(pack.lowerBound, r))!;
      expect(
        decodePack(Buffer.from(pack.body)).every((f) => inRange(f.path, range)),
        pack.lowerBound,
      ).toBe(true);
    }
    const fresh = hostStore();
    await SharedTracking.open(id, fresh);
    expect(await all(fresh)).toEqual([...expected.values()].sort((a, b) => compareUtf8(a.path, b.path)));
  });
});
