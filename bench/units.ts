// One job across 1, 2 and 3 workers: the service on PostgreSQL splits a copy into work units
// that every worker leases. A first copy of BENCH_FILES (100,000) files of 4 KiB and its
// no-change repeat, to the Ceph gateway on 127.0.0.1 through a proxy that adds BENCH_LATENCY_MS
// (20) to every request, as a store in a distant region would; then, unless BENCH_DIRECTIONS is
// "push", the same folder pulled into an empty directory by the same workers, and its repeat
// (every file counted on disk, a sample compared byte for byte with the source). Each worker runs one unit at a
// time with BENCH_WORKER_CONCURRENCY (8) transfers in flight, so one worker is bound by its
// transfers in flight, not by the CPU. Units of BENCH_UNIT_FILES (5,000) files; BENCH_REPEATS
// (1) rounds, medians reported. The workers share this machine's two cores with Ceph,
// PostgreSQL and the proxy: the speed-up per worker added is what these cores leave.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { startPostgres, type PostgresServer } from "@/scripts/postgres-server";
import { S3Proxy } from "../test/support/s3-proxy";
import { listKeys } from "../test/support/engine-harness";
import { CephStore } from "./ceph-store";
import { Service, type ServiceRun } from "./service";
import { makeSmallTree } from "./trees";

const FILES = Number(process.env.BENCH_FILES ?? 100_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? "8";
const UNIT_FILES = process.env.BENCH_UNIT_FILES ?? "5000";
const REPEATS = Number(process.env.BENCH_REPEATS ?? 1);
const WORKERS = [1, 2, 3];
const PULLS = (process.env.BENCH_DIRECTIONS ?? "push,pull").split(",").includes("pull");
const BUCKET = "bench-units";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-units-"));
const ceph = new CephStore(path.join(work, "ceph"), "bench-access", "bench-secret-key");
let proxy: S3Proxy | undefined;
let postgres: PostgresServer | undefined;
let service: Service | undefined;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  ceph.start();
  await ceph.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  proxy = new S3Proxy(Number(new URL(ceph.endpoint).port));
  proxy.interceptor = () => ({ delayMs: LATENCY_MS });
  await proxy.start();
  postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase("shift_units");
  service = await Service.start(work, work, {
    name: "service-units",
    databaseUrl,
    env: {
      SHIFT_SECRET_KEY: "the key every host of the benchmark shares",
      SHIFT_WORKER_CONCURRENCY: WORKER_CONCURRENCY,
      SHIFT_WORKER_JOBS: "1",
      SHIFT_UNIT_FILES: UNIT_FILES,
    },
  });
  console.log(`generating ${FILES} files of 4 KiB in ${work}…`);
  makeSmallTree(path.join(work, "tree"), FILES);
  const store = { endpoint: proxy.endpoint, bucket: BUCKET, key: ceph.key, secret: ceph.secret };

  type Times = { first: number[]; repeat: number[] };
  const results = new Map<number, Times>(WORKERS.map((n) => [n, { first: [], repeat: [] }]));
  const pulls = new Map<number, Times>(WORKERS.map((n) => [n, { first: [], repeat: [] }]));
  for (let round = 0; round < REPEATS; round++) {
    for (const workers of WORKERS) {
      for (let i = 1; i < workers; i++) service.addWorker(path.join(work, `host${i}-round${round}`));
      // The added workers register (tsx takes a few seconds to start) before the job is made.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const folder = `w${workers}-r${round}/`;
      const first = checked(await service.create("/tree", store, folder), FILES, "first copy");
      proxy.reset();
      const held = (await listKeys(ceph.s3, BUCKET, folder)).length;
      if (held !== FILES) throw new Error(`${folder} holds ${held} objects, not ${FILES}`);
      const repeat = checked(await service.repeat(first.relationshipId), 0, "no-change repeat");
      proxy.reset();
      results.get(workers)!.first.push(first.ms);
      results.get(workers)!.repeat.push(repeat.ms);
      console.log(
        `round ${round + 1}, ${workers} worker(s): first copy ${(first.ms / 1000).toFixed(1)} s, repeat ${(repeat.ms / 1000).toFixed(2)} s`,
      );
      if (PULLS) {
        const target = `pulled-w${workers}-r${round}`;
        fs.mkdirSync(path.join(work, target));
        const pulled = checked(await service.create(`/${target}`, store, folder, "from"), FILES, "first pull");
        proxy.reset();
        expectSameTree(path.join(work, "tree"), path.join(work, target));
        const again = checked(await service.repeat(pulled.relationshipId), 0, "no-change repeat of the pull");
        proxy.reset();
        pulls.get(workers)!.first.push(pulled.ms);
        pulls.get(workers)!.repeat.push(again.ms);
        console.log(
          `round ${round + 1}, ${workers} worker(s): first pull ${(pulled.ms / 1000).toFixed(1)} s, repeat ${(again.ms / 1000).toFixed(2)} s`,
        );
        fs.rmSync(path.join(work, target), { recursive: true, force: true });
      }
      await service.stopAddedWorkers();
    }
  }

  console.log(
    `\n${FILES} files of 4 KiB, ${LATENCY_MS} ms added per request, ${WORKER_CONCURRENCY} transfers in flight per worker, units of ${UNIT_FILES} files; medians of ${REPEATS} round(s), Ceph RGW (${ceph.backend}) on 127.0.0.1, ${os.availableParallelism()} cores\n`,
  );
  table("push", results);
  if (PULLS) table("pull", pulls);
}

function table(direction: string, times: Map<number, { first: number[]; repeat: number[] }>): void {
  const base = times.get(1)!;
  console.log(`| workers | first ${direction} | speed-up | no-change repeat | speed-up |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const workers of WORKERS) {
    const { first, repeat } = times.get(workers)!;
    console.log(
      `| ${workers} | ${(median(first) / 1000).toFixed(1)} s | ${(median(base.first) / median(first)).toFixed(2)} | ${(median(repeat) / 1000).toFixed(2)} s | ${(median(base.repeat) / median(repeat)).toFixed(2)} |`,
    );
  }
  console.log("");
}

/** Every file of the source is in the copy, and one in 97 holds the same bytes. */
function expectSameTree(source: string, copy: string): void {
  const files = (fs.readdirSync(source, { recursive: true, encoding: "utf8" }) as string[]).filter((p) =>
    fs.statSync(path.join(source, p)).isFile(),
  );
  for (const [i, file] of files.entries()) {
    const there = path.join(copy, file);
    if (!fs.existsSync(there)) throw new Error(`the pull left out ${file}`);
    if (i % 97 === 0 && !fs.readFileSync(there).equals(fs.readFileSync(path.join(source, file))))
      throw new Error(`the pull wrote ${file} with other bytes`);
  }
}

function checked(run: ServiceRun, sent: number, what: string): ServiceRun {
  if (run.filesSent !== sent) throw new Error(`the ${what} sent ${run.filesSent} files, not ${sent}`);
  return run;
}

try {
  await main();
} finally {
  await service?.stop();
  postgres?.stop();
  await proxy?.stop();
  ceph.stop();
  execFileSync("rm", ["-rf", work]);
}
