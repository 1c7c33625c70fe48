// Workers on hosts of their own: three network namespaces with their own addresses, reaching
// PostgreSQL and the S3 server through relays on this machine's address on their network, as
// workers on three machines reach a database server and a store. Each has a data directory of its
// own: only the file system being copied is shared. Run with PostgreSQL, as root.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  startAppWithStore,
  stopAppWithStore,
  storeFields,
  waitForJobEnd,
  type AppWithStore,
  type WorkerProcess,
} from "../support/app-server";
import { listKeys } from "../support/engine-harness";
import { inspectionClient } from "../support/s3-server";
import { TcpRelay } from "../support/tcp-relay";
import { until } from "../support/until";
import { expectBucketHolds, replicationLog, writeTree } from "../support/worker-scenarios";
import { canMakeHosts, makeTestHosts, type TestHosts } from "../support/test-hosts";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "hosts-bucket";
const LEASE_SECONDS = 3;
const HOSTS = 3;

describe.runIf(process.env.SHIFT_TEST_DATABASE === "postgresql" && canMakeHosts())("workers on three hosts", () => {
  let hosts: TestHosts;
  let lab: AppWithStore;
  const relays: TcpRelay[] = [];
  let workers: WorkerProcess[] = [];
  let storeOnNetwork: { address: string; port: number };
  let databaseOnNetwork: string;
  const dataDirs: string[] = [];

  beforeAll(async () => {
    hosts = makeTestHosts(HOSTS);
    lab = await startAppWithStore(BUCKET, {
      worker: false,
      allowedEndpoints: `127.0.0.0/8,::1,${hosts.network}`,
      extraEnv: { SHIFT_WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
      secretKey: "the key every host of this installation is given",
    });
    const database = new URL(lab.app.env.SHIFT_DATABASE_URL!);
    const databaseRelay = new TcpRelay({ host: database.hostname, port: Number(database.port) }, hosts.gateway);
    const storeRelay = new TcpRelay({ host: "127.0.0.1", port: lab.proxy.port }, hosts.gateway);
    relays.push(databaseRelay, storeRelay);
    await Promise.all(relays.map((relay) => relay.start()));
    const onNetwork = new URL(database);
    onNetwork.hostname = hosts.gateway;
    onNetwork.port = String(databaseRelay.port);
    databaseOnNetwork = onNetwork.href;
    storeOnNetwork = { address: hosts.gateway, port: storeRelay.port };
  }, 120_000);

  afterEach(async () => {
    for (let i = 0; i < HOSTS; i++) hosts.restore(i);
    await Promise.all(workers.map((worker) => worker.kill()));
    workers = [];
  });

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    if (lab) await stopAppWithStore(lab);
    hosts?.remove();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A worker on each host, each with a new, empty data directory of its own. */
  const startWorkers = () => {
    workers = hosts.hosts.map((_, i) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `s3shift-host${i}-`));
      dataDirs.push(dataDir);
      return lab.app.addWorker({ SHIFT_DATABASE_URL: databaseOnNetwork, SHIFT_DATA_DIR: dataDir }, hosts.exec(i));
    });
  };

  const makeTree = (name: string, files: number) => writeTree(lab.app.fsRoot, name, files);

  async function createPush(name: string): Promise<string> {
    const created = await lab.app.call("POST", `${BASE}/`, {
      token: lab.token,
      body: {
        ...storeFields(storeOnNetwork.port, BUCKET),
        object_store_address: `http://${storeOnNetwork.address}`,
        allow_plain_http: true,
        local_directory_path: `/${name}`,
        object_folder: `${name}/`,
      },
    });
    expect(created.status, created.text).toBe(201);
    return created.json.id as string;
  }

  const status = async (id: string) => (await lab.app.call("GET", `${BASE}/${id}/status`, { token: lab.token })).json;

  const expectObjects = (name: string, contents: Map<string, Buffer>) =>
    expectBucketHolds(lab.s3.endpoint, BUCKET, name, contents);

  /** Which test host runs the worker holding the relationship's current job. */
  async function hostRunning(id: string): Promise<number> {
    const workerId: string = (await status(id)).current_job.worker_id;
    const pid = Number(workerId.split(":")[1]);
    const index = workers.findIndex((worker) => worker.pid === pid);
    expect(index, `worker ${workerId} is one of the hosts' workers`).toBeGreaterThanOrEqual(0);
    return index;
  }

  it("share one queue through PostgreSQL and the store's address on their network; every object is verified", async () => {
    startWorkers();
    const names = ["q0", "q1", "q2", "q3", "q4", "q5"];
    const trees = new Map(names.map((name) => [name, makeTree(name, 25)]));
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 200 } : undefined);
    const ids: string[] = [];
    for (const name of names) ids.push(await createPush(name));
    for (const id of ids)
      expect((await waitForJobEnd(lab.app, lab.token, id)).last_job).toMatchObject({
        outcome: "SUCCEEDED",
        takeovers: 0,
      });
    for (const name of names) await expectObjects(name, trees.get(name)!);
    const listed = (await lab.app.call("GET", "/v3/replication/workers", { token: lab.token })).json as any[];
    const pids = new Set(listed.filter((w) => w.state === "RUNNING").map((w) => w.pid));
    for (const worker of workers) expect(pids.has(worker.pid)).toBe(true);

    // New workers, with nothing in their data directories: the tracking they go on from is in
    // PostgreSQL, and the repeats send nothing.
    await Promise.all(workers.map((worker) => worker.kill()));
    startWorkers();
    let sent = 0;
    lab.proxy.interceptor = (r) => {
      if (r.method === "PUT" || r.method === "POST") sent++;
      return undefined;
    };
    for (const id of ids)
      expect((await lab.app.call("POST", `${BASE}/${id}/replicate`, { token: lab.token })).status).toBe(200);
    for (const id of ids) {
      const repeated = (await waitForJobEnd(lab.app, lab.token, id)).last_job;
      expect(repeated.outcome).toBe("SUCCEEDED");
      expect(repeated.job_progress).toMatchObject({ files_transferred: "0", files_unchanged: "25" });
    }
    expect(sent, "requests that write to the store").toBe(0);
    // The console reads each job's log, written by whichever host ran it, from the database.
    const log = await replicationLog(lab.app, ids[0]!);
    expect(
      log
        .trim()
        .split("\n")
        .filter((line) => JSON.parse(line).event === "job-end"),
    ).toHaveLength(2);
  });

  it("a host cut off mid-job stops it; another host continues it; when the link returns its late writes are refused", async () => {
    startWorkers();
    const name = "cut";
    const contents = makeTree(name, 400);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 500 } : undefined);
    const id = await createPush(name);
    const client = inspectionClient(lab.s3.endpoint);
    await until("some objects landed", async () => (await listKeys(client, BUCKET, `${name}/`)).length >= 40);
    const cut = await hostRunning(id);
    const jobId = (await status(id)).current_job.job_id;

    hosts.cut(cut);
    await until("the cut-off host's worker to stop the job", async () =>
      lab.app.output().includes(`worker: job ${jobId}: its lease could not be renewed in time; stopping it here`),
    );
    const done = await waitForJobEnd(lab.app, lab.token, id, 60_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "", takeovers: 1 });
    const progress = done.last_job.job_progress;
    expect(Number(progress.files_transferred) + Number(progress.files_unchanged)).toBe(contents.size);
    expect(progress.files_total).toBe(String(contents.size));
    await expectObjects(name, contents);

    const before = await status(id);
    hosts.restore(cut);
    // What the cut-off worker still had to write reaches PostgreSQL now, and is refused.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await status(id)).toEqual(before);
  });

  it("a stop reaches the host running the job within 2 s", async () => {
    startWorkers();
    const name = "stopped";
    makeTree(name, 400);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 500 } : undefined);
    const id = await createPush(name);
    const client = inspectionClient(lab.s3.endpoint);
    await until("some objects landed", async () => (await listKeys(client, BUCKET, `${name}/`)).length >= 20);
    const askedAt = Date.now();
    expect((await lab.app.call("POST", `${BASE}/${id}/abort-replication`, { token: lab.token })).status).toBe(200);
    const ended = (await waitForJobEnd(lab.app, lab.token, id, 30_000)).last_job;
    expect(ended.outcome).toBe("ABORTED");
    const log = (await replicationLog(lab.app, id))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { time: string; event: string });
    const reached = log.find((line) => line.event === "stop-requested");
    expect(reached, "the worker logged the stop").toBeDefined();
    expect(Date.parse(reached!.time) - askedAt).toBeLessThanOrEqual(2_000);
  });
});
