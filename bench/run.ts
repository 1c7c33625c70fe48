// `npm run bench`: copy workloads against a local S3 server (s3rver) on loopback, each job in its
// own process (as the worker runs it). Prints medians of RUNS runs.
//   copy to S3:   W1 first copy of 10,000 files of 4 KiB      W3 repeat, nothing changed
//                 W4 repeat with 1% of the files changed      W2 first copy of 8 files of 128 MiB
//   copy from S3: D1 first pull of W1's folder, D3 its no-change repeat,
//                 D2 first pull of W2's folder, D4 its no-change repeat; each against a reference
//                 (a bare SDK GET loop writing files in place, no verification), run alongside.
// Options (environment): BENCH_RUNS (3), BENCH_FILES (10000), BENCH_LARGE_MIB (128), BENCH_CONCURRENCY (32),
// BENCH_ONLY=pull (upload each folder once, untimed, then run only the copy-from-S3 workloads).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { S3Proxy } from "../test/support/s3-proxy";
import { startS3Server } from "../test/support/s3-server";
import { makeLargeTree, makeSmallTree, smallFilePath } from "./trees";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const LARGE_MIB = Number(process.env.BENCH_LARGE_MIB ?? 128);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PULL_ONLY = process.env.BENCH_ONLY === "pull";
const BUCKET = "bench";
const ROOT = path.resolve(import.meta.dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-bench-"));

interface JobReport {
  outcome: string;
  error: string;
  ms: number;
  filesTransferred: number;
  filesUnchanged: number;
  bytesTransferred: number;
  maxRssKiB: number;
}

function runJob(
  endpoint: string,
  directory: string,
  folder: string,
  trackingFile: string,
  options: { direction?: "to" | "from"; script?: string; env?: Record<string, string> } = {},
): Promise<JobReport> {
  const args = {
    endpoint,
    bucket: BUCKET,
    folder,
    directory,
    trackingFile,
    concurrency: CONCURRENCY,
    direction: options.direction ?? "to",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, options.script ?? "bench/job.ts"), JSON.stringify(args)],
      {
        cwd: ROOT,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...options.env },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`job exited with ${code}`));
      const report = JSON.parse(out.trim().split("\n").pop()!) as JobReport;
      if (report.outcome !== "SUCCEEDED") return reject(new Error(`job ${report.outcome}: ${report.error}`));
      resolve(report);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const rows: string[][] = [];
function report(name: string, runs: JobReport[], files: number, bytes: number, extra = "") {
  const ms = median(runs.map((r) => r.ms));
  const rss = median(runs.map((r) => r.maxRssKiB)) / 1024;
  rows.push([
    name,
    `${(ms / 1000).toFixed(2)} s`,
    files ? `${Math.round((files * 1000) / ms)}` : "-",
    bytes ? `${(((bytes / 1e6) * 1000) / ms).toFixed(1)}` : "-",
    `${rss.toFixed(0)} MiB`,
    extra,
  ]);
  console.log(`${name}: runs ${runs.map((r) => (r.ms / 1000).toFixed(2)).join(", ")} s`);
}

/** Pulls a folder into a fresh directory RUNS times, then repeats the last pull RUNS times. */
async function pullTwice(label: string, folder: string, files: number, bytes: number) {
  const first: JobReport[] = [];
  const reference: JobReport[] = [];
  let directory = "";
  let tracking = "";
  for (let run = 0; run < RUNS; run++) {
    // Reference and job alternate, so that both meet the same machine load.
    const refDir = fs.mkdtempSync(path.join(work, "ref-"));
    reference.push(await runJob(server.endpoint, refDir, folder, "", { script: "bench/reference-get.ts" }));
    fs.rmSync(refDir, { recursive: true, force: true });
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    directory = fs.mkdtempSync(path.join(work, "pull-"));
    tracking = path.join(work, `pull-${label}-${run}.db`);
    first.push(await runJob(server.endpoint, directory, folder, tracking, { direction: "from" }));
  }
  const ratio = median(first.map((r) => r.ms)) / median(reference.map((r) => r.ms));
  report(`reference: bare GET loop, ${label}`, reference, files, bytes, "no temp file, no verification");
  report(`first pull ${label}`, first, files, bytes, `${ratio.toFixed(2)}× the reference's time`);
  const repeat: JobReport[] = [];
  for (let run = 0; run < RUNS; run++) {
    proxy.reset();
    repeat.push(await runJob(proxy.endpoint, directory, folder, tracking, { direction: "from" }));
    const gets = proxy.count((r) => r.method === "GET" && !r.query.has("list-type"));
    if (gets !== 0 || repeat.at(-1)!.bytesTransferred !== 0)
      throw new Error(`no-change pull downloaded data (${gets} GETs)`);
  }
  report(`repeat pull ${label}, nothing changed`, repeat, files, 0, `0 GET, ${proxy.requests.length} requests`);
  fs.rmSync(directory, { recursive: true, force: true });
}

async function benchDownloads(smallFolder: string, largeFolder: string) {
  await pullTwice(`${FILES} × 4 KiB`, smallFolder, FILES, FILES * 4096);
  // What writing each file durably (fdatasync before the rename) costs on this disk.
  const fast: JobReport[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dir = fs.mkdtempSync(path.join(work, "nosync-"));
    fast.push(
      await runJob(server.endpoint, dir, smallFolder, path.join(work, `nosync-${run}.db`), {
        direction: "from",
        env: { BENCH_DURABLE: "0" },
      }),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report(`first pull ${FILES} × 4 KiB without fdatasync`, fast, FILES, FILES * 4096, "for comparison only");
  await pullTwice(`8 × ${LARGE_MIB} MiB`, largeFolder, 8, 8 * LARGE_MIB * 1024 * 1024);
}

/** The copy-to-S3 workloads; returns the folders they filled, for the pulls. */
async function benchUploads(small: string, large: string): Promise<{ smallFolder: string; largeFolder: string }> {
  // W1: first copies, each into a new folder with a new tracking file.
  const w1: JobReport[] = [];
  let lastTracking = "";
  let lastFolder = "";
  for (let run = 0; run < RUNS; run++) {
    lastFolder = `w1-${run}/`;
    lastTracking = path.join(work, `w1-${run}.db`);
    w1.push(await runJob(server.endpoint, small, lastFolder, lastTracking));
  }
  // The job closed its tracking file (checkpointing the WAL): its size is what tracking costs.
  const trackingBytes = fs.statSync(lastTracking).size;
  report(
    "W1 first copy 10,000 × 4 KiB",
    w1,
    FILES,
    FILES * 4096,
    `tracking ${(trackingBytes / FILES).toFixed(0)} B/file`,
  );

  // W3: repeats with nothing changed, through a counting proxy to prove no data is sent.
  const w3: JobReport[] = [];
  for (let run = 0; run < RUNS; run++) {
    proxy.reset();
    w3.push(await runJob(proxy.endpoint, small, lastFolder, lastTracking));
    const puts = proxy.count((r) => r.method === "PUT");
    if (puts !== 0 || w3.at(-1)!.bytesTransferred !== 0) throw new Error(`no-change repeat sent data (${puts} PUTs)`);
  }
  report("W3 repeat, nothing changed", w3, FILES, 0, `0 PUT, ${proxy.requests.length} requests`);

  // W4: 1% of the files rewritten before each repeat.
  const w4: JobReport[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (let i = run; i < FILES; i += 100)
      fs.writeFileSync(path.join(small, smallFilePath(i)), crypto.randomBytes(4096));
    proxy.reset();
    w4.push(await runJob(proxy.endpoint, small, lastFolder, lastTracking));
  }
  report("W4 repeat, 1% changed", w4, FILES, 0, `${w4.at(-1)!.filesTransferred} files sent`);

  // W2: large files, multipart.
  const w2: JobReport[] = [];
  for (let run = 0; run < RUNS; run++)
    w2.push(await runJob(server.endpoint, large, `w2-${run}/`, path.join(work, `w2-${run}.db`)));
  report(`W2 first copy 8 × ${LARGE_MIB} MiB`, w2, 8, 8 * LARGE_MIB * 1024 * 1024);
  return { smallFolder: lastFolder, largeFolder: "w2-0/" };
}

const server = await startS3Server([BUCKET]);
const proxy = new S3Proxy(server.port);
await proxy.start();
try {
  const small = path.join(work, "small");
  console.log(`generating ${FILES} files of 4 KiB and 8 files of ${LARGE_MIB} MiB in ${work}…`);
  makeSmallTree(small, FILES);
  const large = path.join(work, "large");
  makeLargeTree(large, LARGE_MIB);

  let folders = { smallFolder: "w1-0/", largeFolder: "w2-0/" };
  if (PULL_ONLY) {
    await runJob(server.endpoint, small, folders.smallFolder, path.join(work, "w1-0.db"));
    await runJob(server.endpoint, large, folders.largeFolder, path.join(work, "w2-0.db"));
  } else {
    folders = await benchUploads(small, large);
  }
  await benchDownloads(folders.smallFolder, folders.largeFolder);

  console.log(
    "\nmedians of %d runs, s3rver on 127.0.0.1, %d transfers in parallel, %d cores\n",
    RUNS,
    CONCURRENCY,
    os.availableParallelism(),
  );
  const header = ["workload", "wall time", "files/s", "MB/s", "peak RSS", "notes"];
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => " --- ").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
} finally {
  await proxy.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
