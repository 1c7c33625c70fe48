// The tracking state of bench:scale's tree shared through PostgreSQL: its size there
// (pg_total_relation_size of TrackingPack, table, TOAST and index), the time to share it, and what
// a worker pays at the start of a job: a host with no copy fetches every pack; a host whose copy
// is current asks for the digests only.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { migratePostgres } from "@/lib/db/postgres-migrations";
import { db } from "@/lib/db/prisma";
import { SharedTracking } from "@/lib/jobs/shared-tracking";
import { startPostgres } from "@/scripts/postgres-server";

export interface SharedTrackingFigures {
  bytesPerFile: number;
  shareMs: number;
  freshOpenMs: number;
  currentOpenMs: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function measureSharedTracking(trackingFile: string, entries: number): Promise<SharedTrackingFigures> {
  const pg = await startPostgres();
  const work = path.dirname(trackingFile);
  try {
    const url = await pg.createDatabase("scale");
    await migratePostgres(url);
    process.env.SHIFT_DATABASE_URL = url;
    const { id } = await db().relationship.create({
      data: {
        direction: "COPY_TO_OBJECT",
        localDirectoryId: "1",
        localDirectoryPath: "/scale",
        objectStoreAddress: "127.0.0.1",
        port: 9000,
        bucket: "scale",
        bucketStyle: "BUCKET_STYLE_PATH",
        objectFolder: "scale/",
        region: "us-east-1",
        accessKeyId: "key",
        secretCiphertext: "x",
        createdBy: "bench",
      },
    });

    console.log("sharing the tracking file through PostgreSQL…");
    const source = path.join(work, "shared-source.db");
    fs.copyFileSync(trackingFile, source);
    // The no-change pass needed one ETag for every object; real ETags differ, and a constant would
    // flatter a store that compresses (PostgreSQL's TOAST does).
    const copy = new Database(source);
    copy.exec("UPDATE files SET etag = randomblob(8)");
    copy.close();
    let t = performance.now();
    const local = new TrackingStore(source);
    const shared = await SharedTracking.open(id, local);
    let write: Awaited<ReturnType<SharedTracking["writeIn"]>> | undefined;
    await db().$transaction(
      async (tx) => {
        write = await shared.writeIn(tx);
      },
      { timeout: 600_000 },
    );
    write!.committed();
    const shareMs = performance.now() - t;
    const [{ bytes, files }] = await db().$queryRawUnsafe<[{ bytes: bigint; files: bigint }]>(
      `SELECT pg_total_relation_size('"TrackingPack"') AS bytes, (SELECT sum(files) FROM "TrackingPack") AS files`,
    );
    if (Number(files) !== entries) throw new Error(`TrackingPack holds ${files} files, not ${entries}`);
    const bytesPerFile = Number(bytes) / entries;
    console.log(`  ${seconds(shareMs)}; ${(Number(bytes) / 1e6).toFixed(1)} MB = ${bytesPerFile.toFixed(1)} B/file`);

    // Another host: an empty copy, filled from the packs.
    const fresh = new TrackingStore(path.join(work, "shared-fresh.db"));
    t = performance.now();
    await SharedTracking.open(id, fresh);
    const freshOpenMs = performance.now() - t;
    if (fresh.count() !== entries) throw new Error(`the fetched copy holds ${fresh.count()} files`);
    fresh.close();
    // The host that wrote it: its copy is current.
    t = performance.now();
    await SharedTracking.open(id, local);
    const currentOpenMs = performance.now() - t;
    local.close();
    console.log(
      `  a new host fetches it in ${seconds(freshOpenMs)}; a current copy opens in ${seconds(currentOpenMs)}`,
    );
    return { bytesPerFile, shareMs, freshOpenMs, currentOpenMs };
  } finally {
    await db().$disconnect();
    pg.stop();
  }
}
