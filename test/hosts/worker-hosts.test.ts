// Workers on hosts of their own (test/support/hosts-lab.ts): three network namespaces sharing one
// queue through PostgreSQL. Run with PostgreSQL, as root.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitForJobEnd } from "../support/app-server";
import { listKeys } from "../support/engine-harness";
import { RELATIONSHIPS as BASE, startHostsLab, type HostsLab } from "../support/hosts-lab";
import { inspectionClient } from "../support/s3-server";
import { until } from "../support/until";
import { expectBucketHolds, replicationLog } from "../support/worker-scenarios";
import { canMakeHosts } from "../support/test-hosts";

const BUCKET = "hosts-bucket";
const LEASE_SECONDS = 3;
const HOSTS = 3;

describe.runIf(process.env.SHIFT_TEST_DATABASE === "postgresql" && canMakeHosts())("workers on three hosts", () => {
  let hostsLab: HostsLab;
  let lab: HostsLab["lab"];
  let hosts: HostsLab["hosts"];

  beforeAll(async () => {
    hostsLab = await startHostsLab(BUCKET, { hosts: HOSTS, leaseSeconds: LEASE_SECONDS });
    ({ lab, hosts } = hostsLab);
  }, 120_000);

  afterEach(() => hostsLab.reset());
  afterAll(() => hostsLab?.stop());

  const startWorkers = () => hostsLab.startWorkers();
  const makeTree = (name: string, files: number) => hostsLab.makeTree(name, files);
  const createPush = (name: string) => hostsLab.createPush(name);
  const status = (id: string) => hostsLab.status(id);
  const expectObjects = (name: string, contents: Map<string, Buffer>) =>
    expectBucketHolds(lab.s3.endpoint, BUCKET, name, contents);

  /** Which test host runs the worker holding the relationship's current job. */
  const hostRunning = async (id: string) => hostsLab.hostOf((await status(id)).current_job.worker_id);

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
    for (const worker of hostsLab.workers) expect(pids.has(worker.pid)).toBe(true);

    // New workers, with nothing in their data directories: the tracking they go on from is in
    // PostgreSQL, and the repeats send nothing.
    await Promise.all(hostsLab.workers.map((worker) => worker.kill()));
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
