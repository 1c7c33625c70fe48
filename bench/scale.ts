// `npm run bench:scale`: memory and time of the engine's no-change pass over a tree of
// BENCH_ENTRIES entries (default 1,000,000), and the tracking state's size per file.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { etagTag, TrackingStore } from "@/lib/engine/tracking-store";
import { walkTree } from "@/lib/engine/walk";
import { TreeHandle } from "@/lib/fs/beneath";
import { makeScaleTree } from "./trees";
import { measureSharedTracking, type SharedTrackingFigures } from "./scale-postgres";
import { postgresBinaries } from "@/scripts/postgres-server";

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const ROOT = path.resolve(import.meta.dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-scale-"));
const tree = path.join(work, "tree");
const trackingFile = path.join(work, "tracking.db");

try {
  console.log(`creating ${ENTRIES} files in ${tree}…`);
  let t = performance.now();
  makeScaleTree(tree, ENTRIES);
  console.log(`  ${((performance.now() - t) / 1000).toFixed(1)} s`);

  console.log("recording every file as copied (as a first copy's tracking would)…");
  t = performance.now();
  const tracking = new TrackingStore(trackingFile);
  const tag = etagTag("0123456789abcdef0123456789abcdef");
  for await (const entry of walkTree(TreeHandle.open(tree))) {
    const s = entry.stat!;
    tracking.put({
      path: entry.relPath,
      size: s.size,
      mtimeNs: s.mtimeNs,
      ctimeNs: s.ctimeNs,
      ino: s.ino,
      // The ETag scale-job.ts lists for every object; the SHA-256 as random as a real one.
      etagTag: tag,
      sha256: crypto.randomBytes(32),
    });
  }
  tracking.close();
  const bytesPerFile = fs.statSync(trackingFile).size / ENTRIES;
  console.log(
    `  ${((performance.now() - t) / 1000).toFixed(1)} s; tracking file ${(fs.statSync(trackingFile).size / 1e6).toFixed(1)} MB = ${bytesPerFile.toFixed(1)} B/file`,
  );

  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "bench/scale-job.ts"), tree, trackingFile],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  const result = JSON.parse(run.stdout.trim()) as {
    listMs: number;
    totalMs: number;
    counts: Record<string, number>;
    maxRssKiB: number;
  };
  console.log(`\n| entries | no-change pass | of which listing spill | peak RSS | tracking | decisions |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  console.log(
    `| ${ENTRIES} | ${(result.totalMs / 1000).toFixed(1)} s | ${(result.listMs / 1000).toFixed(1)} s | ${(result.maxRssKiB / 1024).toFixed(0)} MiB | ${bytesPerFile.toFixed(1)} B/file | ${JSON.stringify(result.counts)} |`,
  );
  if (result.counts["skip-unchanged"] !== ENTRIES) throw new Error("not every entry was found unchanged");

  if (postgresBinaries()) {
    const pg: SharedTrackingFigures = await measureSharedTracking(trackingFile, ENTRIES);
    console.log(
      `\n| entries | tracking in PostgreSQL | sharing it | a new host's first fetch | a current copy's start |`,
    );
    console.log(`| --- | --- | --- | --- | --- |`);
    console.log(
      `| ${ENTRIES} | ${pg.bytesPerFile.toFixed(1)} B/file | ${(pg.shareMs / 1000).toFixed(1)} s | ${(pg.freshOpenMs / 1000).toFixed(1)} s | ${(pg.currentOpenMs / 1000).toFixed(2)} s |`,
    );
  } else console.log("PostgreSQL is not installed here: its tracking figures were not measured");
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
