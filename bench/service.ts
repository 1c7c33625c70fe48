// Our engine as a user drives it: `npm start`'s web server and worker on a fresh data directory,
// and the s3shift command line. A job's time is its own duration as the API reports it (end_time
// less start_time); the command's wall time, from its start to the end of `--watch`, is beside it.
// The worker is a long-lived process: its CPU is the difference of its counters around the job,
// and its peak RSS is the peak since it started.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "../test/support/ports";

const ROOT = path.resolve(import.meta.dirname, "..");
const PASSWORD = "bench-admin-password";
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

export interface ServiceRun {
  ms: number;
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
  filesSent: number;
  relationshipId: string;
}

export interface Store {
  endpoint: string;
  bucket: string;
  key: string;
  secret: string;
}

export class Service {
  private readonly extraWorkers: ChildProcess[] = [];

  private constructor(
    private readonly starter: ChildProcess,
    private readonly url: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * Starts the service (building the console first if it has never been built) with `fsRoot` as
   * its local namespace; `name` keeps two instances apart, `databaseUrl` puts one on PostgreSQL.
   */
  static async start(
    work: string,
    fsRoot: string,
    {
      name = "service",
      databaseUrl,
      env: extraEnv = {},
    }: { name?: string; databaseUrl?: string; env?: Record<string, string> } = {},
  ): Promise<Service> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      SHIFT_DATA_DIR: path.join(work, `${name}-data`),
      SHIFT_FS_ROOT: fsRoot,
      SHIFT_ADMIN_PASSWORD: PASSWORD,
      SHIFT_DEMO_S3: "0",
      // The benchmark's Ceph gateway listens on loopback, which object stores may reach only when allowed.
      SHIFT_ALLOWED_ENDPOINTS: process.env.SHIFT_ALLOWED_ENDPOINTS ?? "127.0.0.0/8,::1",
      XDG_CONFIG_HOME: path.join(work, `${name}-cli`),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      NEXT_TELEMETRY_DISABLED: "1",
    };
    Object.assign(env, extraEnv);
    if (databaseUrl) env.SHIFT_DATABASE_URL = databaseUrl;
    else delete env.SHIFT_DATABASE_URL;
    const starter = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/start.ts")], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    starter.stdout!.resume();
    const url = `http://127.0.0.1:${port}`;
    const service = new Service(starter, url, env);
    // The first start may build the console, which takes minutes.
    for (let waited = 0; ; waited += 500) {
      if (starter.exitCode !== null) throw new Error(`the service exited with ${starter.exitCode}`);
      if (
        await fetch(`${url}/openapi.json`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (waited > 600_000) throw new Error("the service did not answer within 10 minutes");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    service.cli(["login", "--username", "admin"], { S3SHIFT_PASSWORD: PASSWORD });
    return service;
  }

  /** Creates a relationship for `directory` (absolute within the namespace) and watches its first job. */
  create(directory: string, store: Store, folder: string, direction: "to" | "from" = "to"): Promise<ServiceRun> {
    const url = new URL(store.endpoint);
    return this.timedJob([
      "replication_create_object_relationship",
      "--direction",
      direction === "from" ? "COPY_FROM_OBJECT" : "COPY_TO_OBJECT",
      "--local-directory-path",
      directory,
      "--object-store-address",
      `${url.protocol}//${url.hostname}`,
      "--port",
      url.port,
      "--bucket-style",
      "BUCKET_STYLE_PATH",
      "--bucket",
      store.bucket,
      "--object-folder",
      folder,
      "--access-key-id",
      store.key,
      "--secret-access-key",
      store.secret,
      "--watch",
    ]);
  }

  /** Starts a repeat of the relationship and watches it to its end. */
  repeat(relationshipId: string): Promise<ServiceRun> {
    return this.timedJob(["replication_start_object_relationship", "--id", relationshipId, "--watch"]);
  }

  /**
   * Another worker beside the service's own, with a data directory of its own, as on another
   * host (PostgreSQL; the environment must give SHIFT_SECRET_KEY, which every host shares).
   */
  addWorker(dataDir: string): void {
    const worker = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/worker.ts")], {
      cwd: ROOT,
      env: { ...this.env, SHIFT_DATA_DIR: dataDir },
      stdio: ["ignore", "ignore", "inherit"],
    });
    this.extraWorkers.push(worker);
  }

  /** Stops the workers added beside the service's own. */
  async stopAddedWorkers(): Promise<void> {
    await Promise.all(
      this.extraWorkers.splice(0).map((worker) => {
        if (worker.exitCode !== null) return undefined;
        const exited = new Promise((resolve) => worker.once("exit", resolve));
        worker.kill("SIGTERM");
        return exited;
      }),
    );
  }

  async stop(): Promise<void> {
    await this.stopAddedWorkers();
    if (this.starter.exitCode !== null) return;
    const exited = new Promise((resolve) => this.starter.once("exit", resolve));
    this.starter.kill("SIGTERM");
    await exited;
  }

  private async timedJob(args: string[]): Promise<ServiceRun> {
    const worker = this.workerPid();
    const before = cpuTicks(worker);
    const started = performance.now();
    const stdout = await this.cliAsync(args);
    const wallMs = performance.now() - started;
    const cpuMs = ((cpuTicks(worker) - before) * 1000) / TICKS_PER_SECOND;
    const status = JSON.parse(stdout) as {
      id: string;
      last_job: {
        outcome: string;
        error: string;
        start_time: string;
        end_time: string;
        job_progress: { files_transferred: string };
      };
    };
    const job = status.last_job;
    if (job.outcome !== "SUCCEEDED") throw new Error(`the service's job ${job.outcome}: ${job.error}`);
    return {
      ms: Date.parse(job.end_time) - Date.parse(job.start_time),
      wallMs,
      cpuMs,
      maxRssKiB: peakRssKiB(worker),
      filesSent: Number(job.job_progress.files_transferred),
      relationshipId: status.id,
    };
  }

  private cli(args: string[], env: Record<string, string> = {}): string {
    return execFileSync(process.execPath, [path.join(ROOT, "bin/s3shift.js"), "--host", this.url, ...args], {
      cwd: ROOT,
      env: { ...this.env, ...env },
      encoding: "utf8",
    });
  }

  private cliAsync(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, "bin/s3shift.js"), "--host", this.url, ...args], {
        cwd: ROOT,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c));
      child.stderr.on("data", (c: Buffer) => (stderr += c));
      child.on("exit", (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`s3shift ${args[0]} exited with ${code}: ${stderr.slice(-2000)}`)),
      );
    });
  }

  private workerPid(): number {
    const children = execFileSync("pgrep", ["-P", String(this.starter.pid)], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map(Number);
    const worker = children.find((pid) =>
      fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("scripts/worker.ts"),
    );
    if (!worker) throw new Error("the service's worker is not running");
    return worker;
  }
}

/** User plus system time of a process so far, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function peakRssKiB(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmHWM:"));
  return Number(line?.match(/\d+/)?.[0] ?? 0);
}
