import { afterAll, beforeAll, beforeEach } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { terminateAll } from "@/lib/process/child-processes";
import { freePort } from "./ports";
import { testDatabase } from "./test-database";
import { S3Proxy } from "./s3-proxy";
import { S3RVER_KEY, S3RVER_SECRET, startS3Server, type S3TestServer } from "./s3-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const ADMIN_PASSWORD = "admin-password-for-tests";
export const OBSERVER = { username: "watcher", password: "observer-password-1" };

export { freePort };

export interface AppServer {
  url: string;
  dataDir: string;
  fsRoot: string;
  env: NodeJS.ProcessEnv;
  /** Everything the web server and the worker printed. */
  output: () => string;
  /** The web server's process id (`next start` serves in its own process). */
  webPid: () => number;
  stop(): Promise<void>;
  /** Kills the worker process outright (SIGKILL), as a crash would. */
  killWorker(): Promise<void>;
  startWorker(): void;
  /** Another worker process beside the first, as a second worker host would run it. */
  /** `wrap` runs it through another command: `ip netns exec <host>` for a worker on a test host. */
  addWorker(extraEnv?: Record<string, string>, wrap?: string[]): WorkerProcess;
  /** Stops the web server (SIGTERM) and starts it again on the same port; the worker is left alone. */
  restartWebServer(): Promise<void>;
  login(username?: string, password?: string): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown },
  ): Promise<{ status: number; json: any; text: string }>;
}

export interface WorkerProcess {
  pid: number;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** SIGTERM, as an operator stopping it would; resolves once it has exited. */
  terminate(): Promise<void>;
  /** SIGSTOP: the process stays but beats no more, as a host that hangs or is cut off. */
  pause(): void;
  /** SIGCONT: a paused worker wakes and finds what happened meanwhile. */
  resume(): void;
}

/**
 * The real thing: a fresh data directory with an administrator and an observer, the built
 * Next.js server (`next start`) and a worker process, all on loopback.
 */
/** What the test stores need: they all listen on loopback. */
export const LOOPBACK_STORES = "127.0.0.0/8,::1";

/**
 * `allowedEndpoints` is the app's SHIFT_ALLOWED_ENDPOINTS (null: unset); by default the test
 * runner's own, else loopback.
 */
export async function startApp({
  worker = true,
  allowedEndpoints,
  existing,
  keepData,
  databaseUrl,
  secretKey,
  extraEnv = {},
}: {
  worker?: boolean;
  allowedEndpoints?: string | null;
  /** The data directory of an app stopped before: it is used as it is (no user is added) and left behind. */
  existing?: string;
  /** Leave the data directory behind when the app stops, for another app to start on. */
  keepData?: boolean;
  /** SHIFT_DATABASE_URL; null for SQLite whatever the run's database; by default the run's. */
  databaseUrl?: string | null;
  secretKey?: string;
  /** More of the service's environment (SHIFT_WORKER_LEASE_SECONDS, …). */
  extraEnv?: Record<string, string>;
} = {}): Promise<AppServer> {
  const dataDir = existing ?? fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-app-"));
  const removeData = () => {
    if (!existing && !keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const fsRoot = path.join(dataDir, "fs");
  fs.mkdirSync(fsRoot, { recursive: true });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHIFT_DATA_DIR: dataDir,
    SHIFT_FS_ROOT: fsRoot,
    SHIFT_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SHIFT_DATABASE_PREPARED: "1",
    SHIFT_NEW_USER_PASSWORD: OBSERVER.password,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    SHIFT_ALLOWED_ENDPOINTS:
      allowedEndpoints === undefined
        ? (process.env.SHIFT_ALLOWED_ENDPOINTS ?? LOOPBACK_STORES)
        : (allowedEndpoints ?? undefined),
    ...extraEnv,
  };
  if (env.SHIFT_ALLOWED_ENDPOINTS === undefined) delete env.SHIFT_ALLOWED_ENDPOINTS;
  const database = databaseUrl === undefined ? await testDatabase() : undefined;
  if (database) env.SHIFT_DATABASE_URL = database.url;
  else if (databaseUrl) env.SHIFT_DATABASE_URL = databaseUrl;
  else delete env.SHIFT_DATABASE_URL;
  if (secretKey) env.SHIFT_SECRET_KEY = secretKey;
  const created = existing
    ? { status: 0, stderr: "" }
    : spawnSync(
        process.execPath,
        ["--import", "tsx", "scripts/create-user.ts", "--username", OBSERVER.username, "--role", "observers"],
        {
          cwd: ROOT,
          env,
          encoding: "utf8",
        },
      );
  if (created.status !== 0) {
    await database?.drop();
    throw new Error(`preparing the data directory failed: ${created.stderr}`);
  }

  let output = "";
  const children: ChildProcess[] = [];
  const launch = (args: string[], extraEnv: Record<string, string> = {}, wrap: string[] = []) => {
    const [command, ...prefix] = [...wrap, process.execPath];
    const child = spawn(command!, [...prefix, ...args], {
      cwd: ROOT,
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    children.push(child);
    return child;
  };
  const launchWeb = () =>
    launch([path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)]);
  const launchWorker = (extraEnv: Record<string, string> = {}, wrap: string[] = []) =>
    launch(["--import", "tsx", path.join(ROOT, "scripts/worker.ts")], extraEnv, wrap);
  let web = launchWeb();
  let workerProcess = worker ? launchWorker() : undefined;

  const url = `http://127.0.0.1:${port}`;
  const waitForWeb = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/openapi.json`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the web server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  try {
    await waitForWeb();
  } catch (error) {
    // A server that never answered (a broken build, a taken port) must not leave its worker behind.
    await terminateAll(children);
    await database?.drop();
    removeData();
    throw error;
  }

  const call: AppServer["call"] = async (method, urlPath, { token, body } = {}) => {
    const send = () =>
      fetch(url + urlPath, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    // A kept-alive connection the server closed for idleness (5 s) just as a request went out on
    // it fails with "other side closed" before the server read anything: sent once more, on a new one.
    const response = await send().catch((error: unknown) => {
      if ((error as { cause?: { code?: string } }).cause?.code === "UND_ERR_SOCKET") return send();
      throw error;
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };

  return {
    url,
    dataDir,
    fsRoot,
    env,
    output: () => output,
    webPid: () => web.pid!,
    call,
    async login(username = "admin", password = ADMIN_PASSWORD) {
      const reply = await call("POST", "/v1/session/login", { body: { username, password } });
      if (reply.status !== 200) throw new Error(`login failed: ${reply.text}`);
      return reply.json.bearer_token as string;
    },
    async stop() {
      await terminateAll(children);
      await database?.drop();
      removeData();
    },
    async killWorker() {
      const child = workerProcess;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      workerProcess = undefined;
    },
    startWorker() {
      workerProcess = launchWorker();
    },
    addWorker(extraEnv, wrap) {
      const child = launchWorker(extraEnv, wrap);
      const signalAndWait = async (signal: NodeJS.Signals) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill(signal);
        await exited;
      };
      return {
        pid: child.pid!,
        kill: () => signalAndWait("SIGKILL"),
        terminate: () => signalAndWait("SIGTERM"),
        pause: () => child.kill("SIGSTOP"),
        resume: () => child.kill("SIGCONT"),
      };
    },
    async restartWebServer() {
      await terminateAll([web]);
      web = launchWeb();
      await waitForWeb();
    },
  };
}

/** Polls a relationship's status until no job runs, and returns that status. */
export async function waitForJobEnd(app: AppServer, token: string, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await app.call("GET", `/v3/replication/object-relationships/${id}/status`, { token });
    if (json.state === "REPLICATION_NOT_RUNNING" && json.last_job) return json;
    if (Date.now() > deadline) throw new Error(`job still running: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The page's own alerts, not Next's route announcer (which also has role="alert"). */
export const APP_ALERT = '[role="alert"]:not(#__next-route-announcer__)';

/** The running app, an s3rver with one bucket, a counting proxy in front of it, and an admin token. */
export interface AppWithStore {
  app: AppServer;
  s3: S3TestServer;
  proxy: S3Proxy;
  token: string;
}

export async function startAppWithStore(
  bucket: string,
  options: Parameters<typeof startApp>[0] = {},
): Promise<AppWithStore> {
  const [app, s3] = await Promise.allSettled([startApp(options), startS3Server([bucket])]);
  if (app.status === "rejected" || s3.status === "rejected") {
    // Whichever half started is stopped: a failed start leaves no process behind.
    await stopAppWithStore({
      app: app.status === "fulfilled" ? app.value : undefined,
      s3: s3.status === "fulfilled" ? s3.value : undefined,
    });
    throw app.status === "rejected" ? app.reason : (s3 as PromiseRejectedResult).reason;
  }
  const parts: Partial<AppWithStore> = { app: app.value, s3: s3.value };
  try {
    parts.proxy = new S3Proxy(s3.value.port);
    await parts.proxy.start();
    return { app: app.value, s3: s3.value, proxy: parts.proxy, token: await app.value.login() };
  } catch (error) {
    await stopAppWithStore(parts);
    throw error;
  }
}

/** The store part of a relationship's body: `bucket` on 127.0.0.1:`port` (a proxy), path style, the test keys. */
export function storeFields(port: number, bucket: string) {
  return {
    object_store_address: "http://127.0.0.1",
    port,
    bucket,
    bucket_style: "BUCKET_STYLE_PATH",
    access_key_id: S3RVER_KEY,
    secret_access_key: S3RVER_SECRET,
  };
}

/**
 * The app and its store for this test file: started before its tests and stopped after them;
 * the proxy's log and interceptor are cleared before each test.
 */
export function useAppWithStore(bucket: string, options: Parameters<typeof startApp>[0] = {}): AppWithStore {
  const lab = {} as AppWithStore;
  beforeAll(async () => {
    Object.assign(lab, await startAppWithStore(bucket, options));
  });
  afterAll(() => stopAppWithStore(lab));
  beforeEach(() => {
    lab.proxy?.reset();
    if (lab.proxy) lab.proxy.interceptor = undefined;
  });
  return lab;
}

export async function stopAppWithStore(parts: Partial<AppWithStore>): Promise<void> {
  await parts.proxy?.stop();
  await Promise.all([parts.app?.stop(), parts.s3?.stop()]);
}
