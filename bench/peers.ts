// `npm run bench:peers`: S3 Shift against the tools users would pick instead (rclone copy,
// aws s3 sync, s3cmd sync) on a one-node Ceph RADOS Gateway on 127.0.0.1, in the same run, both ways:
//   W1 first copy of 10,000 files of 4 KiB     W3 repeat, nothing changed
//   W4 repeat with 1% of the files changed      W2 first copy of 8 files of 128 MiB
//   P1..P4 the same from the bucket (P1 first pull, P3 no-change repeat, P4 after 1% changed, P2 large)
// Tools alternate within each round, each round starting with the next tool; every run is verified (keys and sizes, and SHA-256 of a
// sample read back; a pull's files against the tree the bucket holds). Prints medians of BENCH_RUNS runs: wall time, files/s, MB/s, client CPU, the
// CPU of the store's gateway and OSD meanwhile, peak RSS, and our ratio to each peer. The store's limits
// are measured alongside: the SDK's PUTs from memory, hand-signed PUTs and GETs from memory over
// keep-alive sockets (bench/reference-lean.ts, the fastest any client could be), ranged GETs for P2,
// and a bare SDK GET loop writing files (no verification, no tracking) for P1.
// "ours" is the engine in a process of its own per job, as the worker runs it; "service" is the
// whole service as a user drives it (web server, worker, the s3shift CLI with --watch).
// Options (environment): BENCH_RUNS (3), BENCH_FILES (10000), BENCH_LARGE_MIB (128),
// BENCH_CONCURRENCY (32), BENCH_TOOLS (comma list of ours,service,rclone,aws,s3cmd; service-pg: the
// service on a PostgreSQL cluster of its own, with what each job cost the database; and baseline: the
// engine of the checkout at BENCH_BASELINE_ROOT, to measure a change against it in the same run), BENCH_ONLY (comma
// list of W1,W2,W3,W4,P1,P2,P3,P4, and M1: a first copy of BENCH_SCALE_ENTRIES (1,000,000) tiny files,
// its no-change repeats, a first pull of the same objects into an empty directory and its no-change
// repeats, by our engine alone, left out by default: it takes about an hour), CEPH_BACKEND (memstore by default: on this disk bluestore, not the
// client, limits small PUTs to ~370/s), CEPH_SIZE_GB (20; each W2 folder is deleted once verified),
// BENCH_STORE_CPUS (a comma list of CPU numbers: the store's daemons run on them alone, and every
// client on the other CPUs; by default all share every CPU).
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { DOWNLOAD_SETTINGS } from "@/lib/jobs/engine-settings";
import { installPeers, peerCommand, peerVersions, type Peer } from "./peer-tools";
import { startPostgres, type PostgresServer } from "@/scripts/postgres-server";
import { CephStore } from "./ceph-store";
import { withDatabaseCost, type DatabaseCost } from "./database-cost";
import { Service } from "./service";
import { makeLargeTree, makeScaleTree, makeSmallTree, smallFilePath } from "./trees";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const LARGE_MIB = Number(process.env.BENCH_LARGE_MIB ?? 128);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TOOLS = (process.env.BENCH_TOOLS ?? "ours,service,rclone,aws,s3cmd").split(",") as Tool[];
const ONLY = new Set((process.env.BENCH_ONLY ?? "W1,W2,W3,W4,P1,P2,P3,P4").split(","));
const SCALE_ENTRIES = Number(process.env.BENCH_SCALE_ENTRIES ?? 1_000_000);
const BUCKET = "peers";
const KEY = "bench-access";
const SECRET = "bench-secret-key";
const ROOT = path.resolve(import.meta.dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-peers-"));
type Tool = "ours" | "baseline" | "service" | "service-pg" | Peer;
/**
 * The tools in the order round `run` runs them: each round starts one further along, so that no
 * tool always runs first (on a fresh store) or last (after the others have filled it).
 */
const inTurn = (run: number) => TOOLS.map((_, i) => TOOLS[(i + run) % TOOLS.length]!);
/** The tools whose time is a job's own duration, with a process's wall time beside it. */
const isOurs = (tool: string) => tool === "ours" || tool === "baseline" || tool === "service" || tool === "service-pg";
/** A checkout of another version (with its node_modules) whose engine runs as the tool "baseline". */
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;

interface Measured {
  /** Our time is the job's own duration; a peer's is its process's wall time. */
  ms: number;
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
  /** Minor page faults of the client process: each costs about 15 µs of CPU on these machines. */
  minorFaults?: number;
  filesSent?: number;
  /** CPU the store's gateway and OSD spent meanwhile: on shared cores, what the client leaves them matters. */
  storeCpuMs?: number;
  /** service-pg: what the job cost PostgreSQL (its database, which holds the tracking state and the log too). */
  database?: DatabaseCost;
}

const ceph = new CephStore(path.join(work, "ceph"), KEY, SECRET);
let endpoint = "";
let s3!: S3Client;
let service: Service | undefined;
/** The same service on PostgreSQL (BENCH_TOOLS with service-pg), and the cluster it uses. */
let servicePg: Service | undefined;
let postgres: PostgresServer | undefined;
let postgresUrl = "";
/** The service's relationship for each folder it has copied to. */
const relationships = new Map<string, string>();

const STORE_CPUS = (process.env.BENCH_STORE_CPUS ?? "").split(",").filter(Boolean).map(Number);
const CLIENT_CPUS = Array.from({ length: os.availableParallelism() }, (_, cpu) => cpu).filter(
  (cpu) => !STORE_CPUS.includes(cpu),
);

/**
 * With BENCH_STORE_CPUS, this process and every client it starts run on the other CPUs, so that
 * the store's limit is its own and not what a client's CPU leaves it. Set before Ceph starts:
 * children inherit it, and then the daemons (each of their threads) are moved.
 */
function pinClients(): void {
  if (STORE_CPUS.length === 0) return;
  if (CLIENT_CPUS.length === 0)
    throw new Error(`BENCH_STORE_CPUS=${STORE_CPUS.join(",")} leaves no CPU for the clients`);
  execFileSync("taskset", ["-a", "-p", "-c", CLIENT_CPUS.join(","), String(process.pid)], { stdio: "ignore" });
}

function pinStore(): void {
  if (STORE_CPUS.length === 0) return;
  for (const pidFile of fs.readdirSync(path.join(ceph.dir, "run")).filter((name) => name.endsWith(".pid"))) {
    const pid = fs.readFileSync(path.join(ceph.dir, "run", pidFile), "utf8").trim();
    execFileSync("taskset", ["-a", "-p", "-c", STORE_CPUS.join(","), pid], { stdio: "ignore" });
  }
}

function startCeph(): void {
  ceph.start();
  endpoint = ceph.endpoint;
  s3 = ceph.s3;
}

/** Runs a command under /usr/bin/time, which reports the child's CPU and peak RSS. */
function timed(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<{ wallMs: number; cpuMs: number; maxRssKiB: number; minorFaults: number; stdout: string }> {
  const stats = path.join(work, "time.out");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-o", stats, "-f", "%U %S %M %R", command, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("exit", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0)
        return reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr.slice(-2000)}`));
      const [user, sys, rss, faults] = fs.readFileSync(stats, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
      resolve({ wallMs, cpuMs: (user! + sys!) * 1000, maxRssKiB: rss!, minorFaults: faults!, stdout });
    });
  });
}

const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU time so far of the store's daemons that carry data (gateway and OSD), from their pid files and /proc. */
function storeCpuMs(): number {
  let ticks = 0;
  for (const daemon of ["client.rgw.a", "osd.0"]) {
    const pid = fs.readFileSync(path.join(ceph.dir, "run", `${daemon}.pid`), "utf8").trim();
    // utime and stime are fields 14 and 15; the command name before them may hold spaces, so count from its ")".
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

/** `measure`, with the store's CPU over the same time. */
async function withStoreCpu(measure: () => Promise<Measured>): Promise<Measured> {
  const before = storeCpuMs();
  const measured = await measure();
  return { ...measured, storeCpuMs: storeCpuMs() - before };
}

type Direction = "to" | "from";

async function runTool(
  tool: Tool,
  directory: string,
  prefix: string,
  trackingFile: string,
  direction: Direction = "to",
): Promise<Measured> {
  return withStoreCpu(() => runToolOnce(tool, directory, prefix, trackingFile, direction));
}

async function runToolOnce(
  tool: Tool,
  directory: string,
  prefix: string,
  trackingFile: string,
  direction: Direction,
): Promise<Measured> {
  if (tool === "service" || tool === "service-pg") {
    const instance = tool === "service" ? service! : servicePg!;
    // One relationship per directory and folder: a pull's repeat is its own relationship's.
    const key = `${tool} ${direction} ${directory} ${prefix}`;
    const known = relationships.get(key);
    const job = () =>
      known
        ? instance.repeat(known)
        : instance.create(
            `/${path.relative(work, directory)}/`,
            { endpoint, bucket: BUCKET, key: KEY, secret: SECRET },
            prefix,
            direction,
          );
    const run = tool === "service-pg" ? await withDatabaseCost(postgresUrl, job) : await job();
    relationships.set(key, run.relationshipId);
    return run;
  }
  if (tool === "ours" || tool === "baseline") {
    const args = {
      endpoint,
      bucket: BUCKET,
      folder: prefix,
      directory,
      trackingFile,
      concurrency: CONCURRENCY,
      direction,
    };
    if (tool === "baseline" && !BASELINE_ROOT)
      throw new Error("the tool baseline needs BENCH_BASELINE_ROOT, a checkout of the version to compare with");
    const root = tool === "baseline" ? BASELINE_ROOT! : ROOT;
    // Run in its own checkout, whose tsconfig maps "@/…" to its own sources.
    const run = await timed(
      process.execPath,
      ["--import", "tsx", path.join(root, "bench/job.ts"), JSON.stringify(args)],
      { BENCH_S3_KEY: KEY, BENCH_S3_SECRET: SECRET, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      root,
    );
    const report = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
      outcome: string;
      error: string;
      ms: number;
      filesTransferred: number;
    };
    if (report.outcome !== "SUCCEEDED") throw new Error(`our job ${report.outcome}: ${report.error}`);
    return {
      ms: report.ms,
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      maxRssKiB: run.maxRssKiB,
      minorFaults: run.minorFaults,
      filesSent: report.filesTransferred,
    };
  }
  const { command, args, env } = peerCommand(tool, {
    directory,
    endpoint,
    bucket: BUCKET,
    prefix,
    key: KEY,
    secret: SECRET,
    concurrency: CONCURRENCY,
    work,
    direction,
  });
  const run = await timed(command, args, env);
  return {
    ms: run.wallMs,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    maxRssKiB: run.maxRssKiB,
    minorFaults: run.minorFaults,
  };
}

async function referencePut(prefix: string, count: number, size: number): Promise<Measured> {
  return reference("reference-put.ts", { folder: prefix, count, size, concurrency: CONCURRENCY });
}

/** One of the reference clients (bench/reference-*.ts) in a process of its own, with the store's CPU meanwhile. */
async function reference(script: string, args: Record<string, unknown>): Promise<Measured> {
  return withStoreCpu(() => referenceOnce(script, { endpoint, bucket: BUCKET, ...args }));
}

async function referenceOnce(script: string, args: Record<string, unknown>): Promise<Measured> {
  const run = await timed(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "bench", script), JSON.stringify(args)],
    { BENCH_S3_KEY: KEY, BENCH_S3_SECRET: SECRET, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  );
  const report = JSON.parse(run.stdout.trim().split("\n").pop()!) as { ms: number };
  return {
    ms: report.ms,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    maxRssKiB: run.maxRssKiB,
    minorFaults: run.minorFaults,
  };
}

async function listSizes(prefix: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) found.set(o.Key!.slice(prefix.length), o.Size ?? -1);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/**
 * Keeps a memstore OSD's RAM in check: large folders go once verified, and the gateway's garbage
 * collection runs at once, so that it does not run later in the middle of another tool's run.
 */
async function deleteFolder(prefix: string): Promise<void> {
  const keys = [...(await listSizes(prefix)).keys()].map((rel) => ({ Key: prefix + rel }));
  for (let i = 0; i < keys.length; i += 1000)
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.slice(i, i + 1000) } }));
  execFileSync(
    "radosgw-admin",
    ["-c", path.join(ceph.dir, "ceph.conf"), "-n", "client.admin", "gc", "process", "--include-all"],
    { stdio: "ignore" },
  );
}

function localFiles(root: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const rel of fs.readdirSync(root, { recursive: true }) as string[]) {
    const stat = fs.statSync(path.join(root, rel));
    if (stat.isFile()) files.set(rel.split(path.sep).join("/"), stat.size);
  }
  return files;
}

const tracking = (tool: Tool, name: string) => path.join(work, `${tool}-${name}.db`);
const sha256 = (data: Uint8Array) => crypto.createHash("sha256").update(data).digest("hex");

/** Every key with its size, and the bytes of `sample` (or of `mustMatch`) read back and hashed. */
async function verify(
  label: string,
  root: string,
  prefix: string,
  sample: number,
  mustMatch: string[] = [],
): Promise<void> {
  const expected = localFiles(root);
  const stored = await listSizes(prefix);
  if (stored.size !== expected.size)
    throw new Error(`${label}: ${stored.size} objects under ${prefix}, expected ${expected.size}`);
  for (const [rel, size] of expected)
    if (stored.get(rel) !== size)
      throw new Error(`${label}: ${prefix}${rel} has size ${stored.get(rel)}, expected ${size}`);
  const names = [...expected.keys()];
  const picks = new Set(mustMatch);
  while (picks.size < Math.min(names.length, mustMatch.length + sample))
    picks.add(names[crypto.randomInt(names.length)]!);
  for (const rel of picks) {
    const reply = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: prefix + rel }));
    const remote = sha256(await reply.Body!.transformToByteArray());
    if (remote !== sha256(fs.readFileSync(path.join(root, rel))))
      throw new Error(`${label}: ${prefix}${rel} differs from the local file`);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<string, Map<string, Measured[]>>();
function record(workload: string, tool: string, measured: Measured) {
  if (!results.has(workload)) results.set(workload, new Map());
  const byTool = results.get(workload)!;
  byTool.set(tool, [...(byTool.get(tool) ?? []), measured]);
  const faults = measured.minorFaults === undefined ? "" : `, ${measured.minorFaults} page faults`;
  const store = measured.storeCpuMs === undefined ? "" : `, store CPU ${(measured.storeCpuMs / 1000).toFixed(2)} s`;
  console.log(
    `${workload} ${tool}: ${(measured.ms / 1000).toFixed(2)} s (process ${(measured.wallMs / 1000).toFixed(2)} s, CPU ${(measured.cpuMs / 1000).toFixed(2)} s, RSS ${(measured.maxRssKiB / 1024).toFixed(0)} MiB${faults}${store})`,
  );
}

async function main() {
  const peers = TOOLS.filter((t): t is Peer => !isOurs(t));
  installPeers(peers);
  console.log(peerVersions(peers));
  pinClients();
  startCeph();
  pinStore();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  if (TOOLS.includes("service")) service = await Service.start(work, work);
  if (TOOLS.includes("service-pg")) {
    postgres = await startPostgres();
    postgresUrl = await postgres.createDatabase("shift_bench");
    servicePg = await Service.start(work, work, { name: "service-pg", databaseUrl: postgresUrl });
  }
  const source = path.join(work, "small");
  console.log(`generating ${FILES} files of 4 KiB and 8 files of ${LARGE_MIB} MiB in ${work}…`);
  makeSmallTree(source, FILES);
  const large = path.join(work, "large");
  makeLargeTree(large, LARGE_MIB);
  // Each tool keeps its own copy of the small tree, so the 1% it sees changed is its own 1%.
  const trees = new Map(TOOLS.map((tool) => [tool, path.join(work, `tree-${tool}`)]));
  for (const tree of trees.values()) execFileSync("cp", ["-a", source, tree]);

  const syncPrefix = (tool: Tool) => `${tool}/sync/`;

  if (ONLY.has("W1") || ONLY.has("W3") || ONLY.has("W4")) {
    for (let run = 0; run < RUNS; run++) {
      record("W1", "store limit (SDK PUTs from memory)", await referencePut(`ref/w1-${run}/`, FILES, 4096));
      record(
        "W1",
        "lean limit (signed PUTs from memory)",
        await reference("reference-lean.ts", {
          op: "put",
          folder: `ref/w1-lean-${run}/`,
          count: FILES,
          size: 4096,
          concurrency: CONCURRENCY,
        }),
      );
      for (const tool of inTurn(run)) {
        // The last round writes the folder the repeats work on.
        const prefix = run === RUNS - 1 ? syncPrefix(tool) : `${tool}/w1-${run}/`;
        record("W1", tool, await runTool(tool, trees.get(tool)!, prefix, tracking(tool, prefix.replaceAll("/", "_"))));
        await verify(`W1 ${tool}`, trees.get(tool)!, prefix, 50);
      }
    }
  }
  if (ONLY.has("W3")) {
    for (let run = 0; run < RUNS; run++) {
      for (const tool of inTurn(run)) {
        const measured = await runTool(
          tool,
          trees.get(tool)!,
          syncPrefix(tool),
          tracking(tool, syncPrefix(tool).replaceAll("/", "_")),
        );
        if (measured.filesSent) throw new Error(`W3 ${tool}: a no-change repeat sent ${measured.filesSent} files`);
        record("W3", tool, measured);
      }
    }
  }
  if (ONLY.has("W4")) {
    for (let run = 0; run < RUNS; run++) {
      for (const tool of inTurn(run)) {
        const tree = trees.get(tool)!;
        const changed: string[] = [];
        for (let i = run; i < FILES; i += 100) {
          const rel = smallFilePath(i);
          fs.writeFileSync(path.join(tree, rel), crypto.randomBytes(4096));
          changed.push(rel);
        }
        record(
          "W4",
          tool,
          await runTool(tool, tree, syncPrefix(tool), tracking(tool, syncPrefix(tool).replaceAll("/", "_"))),
        );
        await verify(`W4 ${tool}`, tree, syncPrefix(tool), 0, changed);
      }
    }
  }
  if (ONLY.has("W2")) {
    for (let run = 0; run < RUNS; run++) {
      record(
        "W2",
        "store limit (SDK multipart from memory)",
        await referencePut(`ref/w2-${run}/`, 8, LARGE_MIB * 1024 * 1024),
      );
      await deleteFolder(`ref/w2-${run}/`);
      for (const tool of inTurn(run)) {
        const prefix = `${tool}/w2-${run}/`;
        record("W2", tool, await runTool(tool, large, prefix, tracking(tool, `w2-${run}`)));
        await verify(`W2 ${tool}`, large, prefix, 2);
        await deleteFolder(prefix);
      }
    }
  }
  if (["P1", "P2", "P3", "P4"].some((w) => ONLY.has(w))) await pulls(source, large);
  if (ONLY.has("M1")) await scale();
  printTable();
}

/**
 * The pulls, from folders each tool has to itself (so that the 1% changed for P4 is its own):
 *   P1 first pull of the small tree    P3 repeat, nothing changed
 *   P4 repeat after 1% changed          P2 first pull of the 8 large files
 * Each pull is verified like a push: every file and its size, and the SHA-256 of a sample.
 */
async function pulls(source: string, large: string): Promise<void> {
  const pulled = (tool: Tool, run: number) => path.join(work, `pulled-${tool}-${run}`);
  const folder = (tool: Tool) => `pull/${tool}/`;
  const expected = new Map(TOOLS.map((tool) => [tool, path.join(work, `expected-${tool}`)]));
  if (ONLY.has("P1") || ONLY.has("P3") || ONLY.has("P4")) {
    for (const tool of TOOLS) {
      // Seeded by our engine, untimed; the expected tree follows every change made to the folder.
      execFileSync("cp", ["-a", source, expected.get(tool)!]);
      await runToolOnce("ours", source, folder(tool), path.join(work, `seed-${tool}.db`), "to");
    }
    for (let run = 0; run < RUNS; run++) {
      record(
        "P1",
        "bare GET loop (SDK, writing files)",
        await reference("reference-get.ts", {
          folder: folder(TOOLS[0]!),
          directory: fresh(path.join(work, `ref-get-${run}`)),
          concurrency: DOWNLOAD_SETTINGS.smallObjectsInFlight,
        }),
      );
      record(
        "P1",
        "lean limit (signed GETs into memory)",
        await reference("reference-lean.ts", {
          op: "get",
          folder: folder(TOOLS[0]!),
          concurrency: DOWNLOAD_SETTINGS.smallObjectsInFlight,
        }),
      );
      fs.rmSync(path.join(work, `ref-get-${run}`), { recursive: true, force: true });
      for (const tool of inTurn(run)) {
        const into = fresh(pulled(tool, run));
        record("P1", tool, await runTool(tool, into, folder(tool), tracking(tool, `p1-${run}`), "from"));
        verifyPulled(`P1 ${tool}`, expected.get(tool)!, into, 50);
        // The last round's copy is the one the repeats work on.
        if (run < RUNS - 1) fs.rmSync(into, { recursive: true, force: true });
      }
    }
  }
  const last = RUNS - 1;
  if (ONLY.has("P3")) {
    for (let run = 0; run < RUNS; run++) {
      for (const tool of inTurn(run)) {
        const measured = await runTool(tool, pulled(tool, last), folder(tool), tracking(tool, `p1-${last}`), "from");
        if (measured.filesSent) throw new Error(`P3 ${tool}: a no-change repeat fetched ${measured.filesSent} objects`);
        record("P3", tool, measured);
      }
    }
  }
  if (ONLY.has("P4")) {
    for (let run = 0; run < RUNS; run++) {
      for (const tool of inTurn(run)) {
        const changed: string[] = [];
        for (let i = run; i < FILES; i += 100) {
          const rel = smallFilePath(i);
          const body = crypto.randomBytes(4096);
          fs.writeFileSync(path.join(expected.get(tool)!, rel), body);
          await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: folder(tool) + rel, Body: body }));
          changed.push(rel);
        }
        record("P4", tool, await runTool(tool, pulled(tool, last), folder(tool), tracking(tool, `p1-${last}`), "from"));
        verifyPulled(`P4 ${tool}`, expected.get(tool)!, pulled(tool, last), 0, changed);
      }
    }
  }
  if (ONLY.has("P2")) {
    await runToolOnce("ours", large, "pull/large/", path.join(work, "seed-large.db"), "to");
    for (let run = 0; run < RUNS; run++) {
      record(
        "P2",
        "ranged-GET limit (signed, into memory)",
        await reference("reference-lean.ts", {
          op: "get",
          folder: "pull/large/",
          partSize: DOWNLOAD_SETTINGS.minPartSize,
          concurrency: DOWNLOAD_SETTINGS.parallelParts * 4,
        }),
      );
      for (const tool of inTurn(run)) {
        const into = fresh(pulled(tool, 100 + run));
        record("P2", tool, await runTool(tool, into, "pull/large/", tracking(tool, `p2-${run}`), "from"));
        verifyPulled(`P2 ${tool}`, large, into, 2);
        fs.rmSync(into, { recursive: true, force: true });
      }
    }
  }
}

/** An empty directory at `dir`. */
function fresh(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A pull's result against the tree it must equal: every file and size, and the bytes of a sample (or of `mustMatch`). */
function verifyPulled(label: string, expected: string, got: string, sample: number, mustMatch: string[] = []): void {
  const want = localFiles(expected);
  const have = localFiles(got);
  if (have.size !== want.size) throw new Error(`${label}: ${have.size} files in ${got}, expected ${want.size}`);
  for (const [rel, size] of want)
    if (have.get(rel) !== size) throw new Error(`${label}: ${rel} has size ${have.get(rel)}, expected ${size}`);
  const names = [...want.keys()];
  const picks = new Set(mustMatch);
  while (picks.size < Math.min(names.length, mustMatch.length + sample))
    picks.add(names[crypto.randomInt(names.length)]!);
  for (const rel of picks)
    if (sha256(fs.readFileSync(path.join(got, rel))) !== sha256(fs.readFileSync(path.join(expected, rel))))
      throw new Error(`${label}: ${rel} differs from what the bucket holds`);
}

/** The scale targets: a first copy's peak RSS, the tracking bytes per file, and a no-change repeat's time. */
async function scale(): Promise<void> {
  const tree = path.join(work, "scale");
  console.log(`generating ${SCALE_ENTRIES} files in ${tree}…`);
  makeScaleTree(tree, SCALE_ENTRIES);
  const trackingFile = path.join(work, "ours-scale.db");
  const first = await runTool("ours", tree, "ours/scale/", trackingFile);
  if (first.filesSent !== SCALE_ENTRIES)
    throw new Error(`M1: the first copy sent ${first.filesSent} of ${SCALE_ENTRIES} files`);
  record("M1 first copy", "ours", first);
  await verify("M1 ours", tree, "ours/scale/", 50);
  const bytesPerFile = fs.statSync(trackingFile).size / SCALE_ENTRIES;
  console.log(
    `M1 tracking: ${(fs.statSync(trackingFile).size / 1e6).toFixed(1)} MB, ${bytesPerFile.toFixed(1)} B per file`,
  );
  for (let run = 0; run < RUNS; run++) {
    const repeat = await runTool("ours", tree, "ours/scale/", trackingFile);
    if (repeat.filesSent) throw new Error(`M1: a no-change repeat sent ${repeat.filesSent} files`);
    record("M1 repeat", "ours", repeat);
  }
  // The same million objects pulled into an empty directory, then pulled again with nothing changed.
  const into = fresh(path.join(work, "scale-pulled"));
  const pullTracking = path.join(work, "ours-scale-pull.db");
  const pulled = await runTool("ours", into, "ours/scale/", pullTracking, "from");
  if (pulled.filesSent !== SCALE_ENTRIES)
    throw new Error(`M1: the first pull fetched ${pulled.filesSent} of ${SCALE_ENTRIES} objects`);
  record("M1 first pull", "ours", pulled);
  verifyPulled("M1 pull", tree, into, 50);
  for (let run = 0; run < RUNS; run++) {
    const repeat = await runTool("ours", into, "ours/scale/", pullTracking, "from");
    if (repeat.filesSent) throw new Error(`M1: a no-change repeat pull fetched ${repeat.filesSent} objects`);
    record("M1 pull repeat", "ours", repeat);
  }
}

/** What each service-pg job cost PostgreSQL, per 1,000 files of the workload. */
function printDatabaseCost(volume: Record<string, { files: number }>) {
  const rows = [...results].flatMap(([workload, byTool]) => {
    const runs = byTool.get("service-pg")?.filter((r) => r.database);
    return runs?.length ? [{ workload, runs }] : [];
  });
  if (rows.length === 0) return;
  console.log("\nservice-pg: PostgreSQL's own cost per 1,000 files (medians; the service database only)");
  console.log(
    "| workload | commits | rows written | WAL bytes | database size after |\n| --- | --- | --- | --- | --- |",
  );
  for (const { workload, runs } of rows) {
    const per = (value: (c: DatabaseCost) => number) =>
      ((median(runs.map((r) => value(r.database!))) * 1000) / volume[workload]!.files).toFixed(0);
    console.log(
      `| ${workload} | ${per((c) => c.commits)} | ${per((c) => c.rowsWritten)} | ${per((c) => c.walBytes)} | ${(median(runs.map((r) => r.database!.sizeBytes)) / 1024 / 1024).toFixed(1)} MiB |`,
    );
  }
}

function printTable() {
  const volume: Record<string, { files: number; bytes: number }> = {
    W1: { files: FILES, bytes: FILES * 4096 },
    W2: { files: 8, bytes: 8 * LARGE_MIB * 1024 * 1024 },
    W3: { files: FILES, bytes: 0 },
    W4: { files: FILES, bytes: (FILES / 100) * 4096 },
    P1: { files: FILES, bytes: FILES * 4096 },
    P2: { files: 8, bytes: 8 * LARGE_MIB * 1024 * 1024 },
    P3: { files: FILES, bytes: 0 },
    P4: { files: FILES, bytes: (FILES / 100) * 4096 },
    "M1 first copy": { files: SCALE_ENTRIES, bytes: 0 },
    "M1 repeat": { files: SCALE_ENTRIES, bytes: 0 },
    "M1 first pull": { files: SCALE_ENTRIES, bytes: 0 },
    "M1 pull repeat": { files: SCALE_ENTRIES, bytes: 0 },
  };
  const cpus = STORE_CPUS.length
    ? `the store on CPU ${STORE_CPUS.join(",")} and the clients on CPU ${CLIENT_CPUS.join(",")}`
    : `${os.availableParallelism()} cores shared by client and server`;
  console.log(`\nmedians of ${RUNS} runs, Ceph RGW (${ceph.backend}) on 127.0.0.1, ${cpus}`);
  console.log("ours: the job's own duration (the process's wall time, with Node's start, in brackets)");
  console.log(
    "service: the job's duration as the API reports it (the CLI's wall time to the end of --watch in brackets); the worker's CPU, and its peak RSS since it started\n",
  );
  const header = [
    "workload",
    "tool",
    "time",
    "files/s",
    "MB/s",
    "client CPU",
    "CPU/file",
    "page faults",
    "store CPU",
    "peak RSS",
    "its time ÷ ours",
    "its time ÷ service's",
  ];
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => " --- ").join("|")}|`);
  for (const [workload, byTool] of results) {
    // Above 1: we are faster. Against the store's limit, on W2: the share of it we reach.
    const ratioTo = (reference: Measured[] | undefined, tool: string, ms: number) =>
      reference && (!isOurs(tool) || tool === "baseline" || tool === "service-pg")
        ? `${(ms / median(reference.map((r) => r.ms))).toFixed(2)}`
        : "";
    for (const [tool, runs] of byTool) {
      const ms = median(runs.map((r) => r.ms));
      const wall = median(runs.map((r) => r.wallMs));
      const cpu = median(runs.map((r) => r.cpuMs));
      const { files, bytes } = volume[workload]!;
      const time = isOurs(tool)
        ? `${(ms / 1000).toFixed(2)} s (${(wall / 1000).toFixed(2)} s)`
        : `${(ms / 1000).toFixed(2)} s`;
      console.log(
        `| ${[
          workload,
          tool,
          time,
          workload === "W2" || workload === "P2" ? "-" : String(Math.round((files * 1000) / ms)),
          bytes ? (((bytes / 1e6) * 1000) / ms).toFixed(1) : "-",
          `${(cpu / 1000).toFixed(2)} s`,
          `${(cpu / files).toFixed(2)} ms`,
          runs[0]!.minorFaults === undefined ? "-" : String(median(runs.map((r) => r.minorFaults ?? 0))),
          `${(median(runs.map((r) => r.storeCpuMs ?? 0)) / 1000).toFixed(2)} s`,
          `${(median(runs.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB`,
          ratioTo(byTool.get("ours"), tool, ms),
          ratioTo(byTool.get("service"), tool, ms),
        ].join(" | ")} |`,
      );
    }
  }
  printDatabaseCost(volume);
}

try {
  await main();
} finally {
  await service?.stop();
  await servicePg?.stop();
  postgres?.stop();
  ceph.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
