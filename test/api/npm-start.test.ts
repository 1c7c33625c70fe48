// `npm start` as its user runs it (scripts/start.ts on a fresh data directory): a worker killed
// outright is restarted with no one's help, the web server keeps serving, and the next job runs,
// through the demo S3 endpoint that `npm start` itself provides.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Client } from "@aws-sdk/client-s3";
import { terminateAll } from "@/lib/process/child-processes";
import { readObject } from "../support/engine-harness";
import { freePort } from "../support/ports";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BASE = "/v3/replication/object-relationships";
const PASSWORD = "admin-password-for-npm-start";

let service: ChildProcess;
let output = "";
let dataDir: string;
let url: string;

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the service printed:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const workerPids = () => [...output.matchAll(/worker started \(pid (\d+)\)/g)].map((m) => Number(m[1]));

async function call(method: string, urlPath: string, token?: string, body?: unknown) {
  const reply = await fetch(url + urlPath, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await reply.text();
  return { status: reply.status, json: text ? JSON.parse(text) : undefined, text };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-start-"));
  const [port, demoPort] = [await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}`;
  service = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/start.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      SHIFT_DATA_DIR: dataDir,
      SHIFT_ADMIN_PASSWORD: PASSWORD,
      HOST: "127.0.0.1",
      PORT: String(port),
      SHIFT_DEMO_S3_PORT: String(demoPort),
      NEXT_TELEMETRY_DISABLED: "1",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  service.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  service.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until("the web server", async () => (await fetch(`${url}/openapi.json`).catch(() => undefined))?.ok);
  await until("the worker", () => workerPids().length === 1 && output.includes("worker: up to"));
});

afterAll(async () => {
  if (service) await terminateAll([service]);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("restarts a worker killed with SIGKILL, keeps serving, and runs the next queued job", async () => {
    const [firstWorker] = workerPids();
    process.kill(firstWorker!, "SIGKILL");
    await until(
      "the restart notice",
      () => output.includes(`worker (pid ${firstWorker}) exited (SIGKILL); restarting it in 1 s`),
      20_000,
    );

    // Queued while no worker runs: the restarted one must pick it up.
    const token = (await call("POST", "/v1/session/login", undefined, { username: "admin", password: PASSWORD })).json
      .bearer_token as string;
    expect(token).toBeTruthy();
    fs.mkdirSync(path.join(dataDir, "fs/projects/a"), { recursive: true });
    fs.writeFileSync(path.join(dataDir, "fs/projects/a/hello.txt"), "hello from npm start\n");
    const endpoint = /demo S3 endpoint\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const [, accessKeyId, secretFile] = /access key (\S+), secret in (\S+)/.exec(output)!;
    expect(fs.statSync(secretFile!).mode & 0o777).toBe(0o600);
    const secretAccessKey = fs.readFileSync(secretFile!, "utf8").trim();
    expect(output).not.toContain(secretAccessKey);
    const created = await call("POST", `${BASE}/`, token, {
      local_directory_path: "/projects/a/",
      object_store_address: "http://127.0.0.1",
      port: Number(endpoint.split(":").pop()),
      bucket_style: "BUCKET_STYLE_PATH",
      bucket: "demo",
      object_folder: "a/",
      access_key_id: accessKeyId,
      secret_access_key: secretAccessKey,
    });
    expect(created.status).toBe(201);

    const status = await until("the job to end", async () => {
      const { json } = await call("GET", `${BASE}/${created.json.id}/status`, token);
      return json.state === "REPLICATION_NOT_RUNNING" && json.last_job ? json : undefined;
    });
    expect(status.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    const [, secondWorker] = workerPids();
    expect(secondWorker).toBeGreaterThan(0);
    expect(secondWorker).not.toBe(firstWorker);
    expect(service.exitCode).toBeNull();
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);

    const s3 = new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! },
    });
    try {
      expect((await readObject(s3, "demo", "a/hello.txt")).body.toString()).toBe("hello from npm start\n");
    } finally {
      s3.destroy();
    }
  }, 120_000);
});
