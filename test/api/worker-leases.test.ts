// Workers hold leases on the jobs they run: several share one queue, a worker that stops beating
// loses its job to another, and its late writes are refused. Runs on SQLite and on PostgreSQL.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { OBSERVER, storeFields, useAppWithStore, waitForJobEnd, type WorkerProcess } from "../support/app-server";
import { withAppDatabase } from "../support/app-database";
import { listKeys } from "../support/engine-harness";
import { inspectionClient } from "../support/s3-server";
import { until } from "../support/until";
import { expectBucketHolds, replicationLog, writeTree } from "../support/worker-scenarios";
import { TcpRelay } from "../support/tcp-relay";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "lease-bucket";
const LEASE_SECONDS = 3;
const lab = useAppWithStore(BUCKET, {
  worker: false,
  extraEnv: { SHIFT_WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
});

// On PostgreSQL the server keeps a time zone far from UTC (UTC+14): lease times must not depend on
// how the driver reads the server's clock in it. (Connections opened afterwards get it.)
beforeAll(async () => {
  const url = lab.app.env.SHIFT_DATABASE_URL;
  if (!url) return;
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await withAppDatabase(lab.app, (database) =>
    database.run(`ALTER DATABASE "${name.replace(/"/g, '""')}" SET "TimeZone" = 'Pacific/Kiritimati'`),
  );
});

const workers: WorkerProcess[] = [];
const addWorker = (extraEnv?: Record<string, string>) => {
  const worker = lab.app.addWorker(extraEnv);
  workers.push(worker);
  return worker;
};
afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.resume();
    await worker.kill();
  }
});

const makeTree = (name: string, files: number) => writeTree(lab.app.fsRoot, name, files);

async function createPush(name: string): Promise<string> {
  const created = await lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: { ...storeFields(lab.proxy.port, BUCKET), local_directory_path: `/${name}`, object_folder: `${name}/` },
  });
  expect(created.status).toBe(201);
  return created.json.id as string;
}

const status = async (id: string) => (await lab.app.call("GET", `${BASE}/${id}/status`, { token: lab.token })).json;

const expectObjects = (name: string, contents: Map<string, Buffer>) =>
  expectBucketHolds(lab.s3.endpoint, BUCKET, name, contents);

describe("workers sharing one queue", () => {
  it("each job is claimed once, and the Workers list shows every worker, its heartbeat and what it runs", async () => {
    const [a, b, c] = [addWorker(), addWorker(), addWorker()];
    const trees = ["share-0", "share-1", "share-2", "share-3", "share-4", "share-5"];
    const contents = new Map(trees.map((name) => [name, makeTree(name, 12)]));
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 300 } : undefined);
    const ids: string[] = [];
    for (const name of trees) ids.push(await createPush(name));

    const listed = await until("a worker listed with a running job", async () => {
      const reply = await lab.app.call("GET", "/v3/replication/workers", { token: lab.token });
      expect(reply.status).toBe(200);
      const running = (reply.json as any[]).filter((w) => w.state === "RUNNING");
      return running.length === 3 && running.some((w) => w.running_jobs.length > 0) && (reply.json as any[]);
    });
    expect(new Set(listed.map((w) => w.pid))).toEqual(new Set([a.pid, b.pid, c.pid]));
    const busy = listed.find((w) => w.running_jobs.length > 0)!;
    const job = busy.running_jobs[0];
    expect(ids).toContain(job.relationship_id);
    expect(job).toMatchObject({ direction: "COPY_TO_OBJECT", bucket: BUCKET, takeovers: 0 });
    expect(Date.parse(busy.heartbeat_at)).toBeGreaterThan(Date.now() - 5_000);
    const current = (await status(job.relationship_id)).current_job;
    if (current) expect(current.worker_id).toBe(busy.id);

    for (const id of ids)
      expect((await waitForJobEnd(lab.app, lab.token, id)).last_job).toMatchObject({
        outcome: "SUCCEEDED",
        takeovers: 0,
      });
    for (const name of trees) await expectObjects(name, contents.get(name)!);
    // One claim each: a job claimed twice would carry a fencing token above 1.
    const tokens = await withAppDatabase(lab.app, (database) =>
      database.all<{ leaseToken: number }>(
        `SELECT "leaseToken" FROM "Job" WHERE "relationshipId" IN (${ids.map(() => "?").join(",")})`,
        ...ids,
      ),
    );
    expect(tokens.map((t) => Number(t.leaseToken))).toEqual(ids.map(() => 1));

    // Observers may read the list; without a token it is refused.
    const observer = await lab.app.login(OBSERVER.username, OBSERVER.password);
    expect((await lab.app.call("GET", "/v3/replication/workers", { token: observer })).status).toBe(200);
    const anonymous = await lab.app.call("GET", "/v3/replication/workers");
    expect(anonymous.status).toBe(401);
  });
});

describe("a worker that stops beating", () => {
  it("loses its job to another, which continues it without resending what landed; its late writes are refused", async () => {
    const name = "paused";
    const contents = makeTree(name, 160);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 500 } : undefined);
    const first = addWorker();
    const id = await createPush(name);
    const client = inspectionClient(lab.s3.endpoint);
    await until("some objects landed", async () => (await listKeys(client, BUCKET, `${name}/`)).length >= 40);

    first.pause();
    const pausedAt = Date.now();
    // What the paused worker had in flight still lands; what the bucket then holds must not be sent again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const landed = new Set(await listKeys(client, BUCKET, `${name}/`));
    expect(landed.size).toBeLessThan(contents.size);
    lab.proxy.reset();
    lab.proxy.interceptor = undefined;

    addWorker();
    const done = await waitForJobEnd(lab.app, lab.token, id, 40_000);
    // Taken over only once the lease ran out: the paused process still exists.
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "", takeovers: 1 });
    const progress = done.last_job.job_progress;
    expect(Number(progress.files_transferred) + Number(progress.files_unchanged)).toBe(contents.size);
    expect(progress.files_total).toBe(String(contents.size));
    const resent = lab.proxy.requests.filter(
      (r) => r.method === "PUT" && landed.has(r.path.slice(`/${BUCKET}/`.length)),
    );
    expect(resent).toEqual([]);
    await expectObjects(name, contents);

    // The paused worker wakes: it learns it lost the lease, stops, and writes nothing to the job.
    const before = await status(id);
    first.resume();
    // Whichever it learns first (its lease long past, or its write refused), it gives the job up.
    const gaveUp = new RegExp(
      `worker: job ${done.last_job.job_id}: (its lease could not be renewed in time|another worker has taken this job over); stopping it here`,
    );
    await until("the woken worker to give the job up", async () => gaveUp.test(lab.app.output()));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await status(id)).toEqual(before);
    const log = await replicationLog(lab.app, id);
    expect(log).toMatch(/"event":"lease-lost"/);
    expect(log).toMatch(/"event":"job-left"/);
  });

  it("a worker whose job another has claimed meanwhile has its next write refused, and stops", async () => {
    const name = "claimed-away";
    makeTree(name, 80);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 400 } : undefined);
    addWorker();
    const id = await createPush(name);
    const client = inspectionClient(lab.s3.endpoint);
    await until("some objects landed", async () => (await listKeys(client, BUCKET, `${name}/`)).length >= 10);
    // What a claim by another worker does to the row: a new fencing token, another worker's name.
    const claimedAway = await withAppDatabase(lab.app, (database) =>
      database.run(
        `UPDATE "Job" SET "leaseToken" = "leaseToken" + 1, "workerId" = 'other-host:1:000000', "filesTransferred" = 0, "bytesTransferred" = 0 WHERE "relationshipId" = ? AND state = 'RUNNING'`,
        id,
      ),
    );
    expect(claimedAway).toBe(1);
    const jobId = (await status(id)).current_job.job_id;
    await until("the worker to give the job up", async () =>
      lab.app.output().includes(`worker: job ${jobId}: another worker has taken this job over; stopping it here`),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Neither its progress nor its outcome reached the row: it is as the other worker's claim left it.
    const row = await withAppDatabase(lab.app, (database) =>
      database.get<{ state: string; workerId: string; filesTransferred: number; endTime: unknown }>(
        `SELECT state, "workerId", "filesTransferred", "endTime" FROM "Job" WHERE id = ?`,
        jobId,
      ),
    );
    expect(row).toMatchObject({ state: "RUNNING", workerId: "other-host:1:000000", endTime: null });
    expect(Number(row!.filesTransferred)).toBe(0);
    // The row's lease runs out in turn and a worker takes the job over and finishes it.
    const done = await waitForJobEnd(lab.app, lab.token, id, 40_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", takeovers: 1 });
  });

  it("drops what a lost attempt listed as failed or skipped: the attempt that takes over lists what it finds", async () => {
    const name = "relisted";
    const contents = makeTree(name, 3);
    const id = await createPush(name);
    const past = new Date(Date.now() - 60_000);
    const jobId = await withAppDatabase(lab.app, async (database) => {
      const job = (await database.get<{ id: string }>(`SELECT id FROM "Job" WHERE "relationshipId" = ?`, id))!;
      await database.run(
        `UPDATE "Job" SET state = 'RUNNING', "workerId" = 'gone-host:1:000000', "leaseToken" = 1, "leaseExpiresAt" = ?, "heartbeatAt" = ? WHERE id = ?`,
        database.time(past),
        database.time(past),
        job.id,
      );
      await database.run(
        `INSERT INTO "JobFileError" ("jobId", path, message) VALUES (?, 'd0/f000.bin', 'connection reset by the store')`,
        job.id,
      );
      await database.run(`INSERT INTO "JobSkippedEntry" ("jobId", path, reason) VALUES (?, 'pipe', 'fifo')`, job.id);
      return job.id;
    });
    addWorker();
    const done = (await waitForJobEnd(lab.app, lab.token, id, 20_000)).last_job;
    expect(done).toMatchObject({ job_id: jobId, outcome: "SUCCEEDED", takeovers: 1 });
    expect(done.job_progress.files_failed).toBe("0");
    const listed = await withAppDatabase(lab.app, async (database) => [
      ...(await database.all(`SELECT path FROM "JobFileError" WHERE "jobId" = ?`, jobId)),
      ...(await database.all(`SELECT path FROM "JobSkippedEntry" WHERE "jobId" = ?`, jobId)),
    ]);
    expect(listed).toEqual([]);
    await expectObjects(name, contents);
  });

  it("ends a job lost again and again as interrupted, one whose stop was asked for as aborted, and one left by a version without leases as interrupted", async () => {
    makeTree("lost-often", 1);
    makeTree("lost-stopped", 1);
    makeTree("lost-before-leases", 1);
    const lost = await createPush("lost-often");
    const stopped = await createPush("lost-stopped");
    const old = await createPush("lost-before-leases");
    const past = new Date(Date.now() - 60_000);
    await withAppDatabase(lab.app, async (database) => {
      for (const [id, takeovers, abort, leaseExpiresAt] of [
        [lost, 3, false, past],
        [stopped, 0, true, past],
        // An upgrade's leftover: running, with a heartbeat and no lease.
        [old, 0, false, null],
      ] as const)
        await database.run(
          `UPDATE "Job" SET state = 'RUNNING', "workerId" = 'gone-host:1:000000', "leaseToken" = 1, "leaseExpiresAt" = ?, "heartbeatAt" = ?, takeovers = ?, "abortRequested" = ? WHERE "relationshipId" = ?`,
          leaseExpiresAt && database.time(leaseExpiresAt),
          database.time(past),
          takeovers,
          abort,
          id,
        );
    });
    addWorker();
    const interrupted = (await waitForJobEnd(lab.app, lab.token, lost, 20_000)).last_job;
    expect(interrupted).toMatchObject({ outcome: "INTERRUPTED", takeovers: 3 });
    expect(interrupted.error).toBe(
      "The job was handed to another worker 3 times, and its worker stopped renewing its lease once more. Start the job again: files already copied are not copied again.",
    );
    const aborted = (await waitForJobEnd(lab.app, lab.token, stopped, 20_000)).last_job;
    expect(aborted).toMatchObject({
      outcome: "ABORTED",
      error: "The job was stopped; its worker ended before it could confirm the stop.",
    });
    const left = (await waitForJobEnd(lab.app, lab.token, old, 20_000)).last_job;
    expect(left).toMatchObject({
      outcome: "INTERRUPTED",
      takeovers: 0,
      error: `The worker running this job stopped without finishing it (no heartbeat for ${LEASE_SECONDS} s). Start the job again: files already copied are not copied again.`,
    });
  });
});

describe.runIf(process.env.SHIFT_TEST_DATABASE === "postgresql")("a worker cut off from PostgreSQL", () => {
  let relay: TcpRelay | undefined;
  afterEach(async () => {
    relay?.restore();
    await relay?.stop();
    relay = undefined;
  });

  it("stops its job before its lease runs out, another continues it, and its writes after the link returns are refused", async () => {
    const direct = new URL(lab.app.env.SHIFT_DATABASE_URL!);
    relay = new TcpRelay({ host: direct.hostname, port: Number(direct.port) });
    await relay.start();
    const relayed = new URL(direct);
    relayed.port = String(relay.port);
    const name = "cut-off";
    // Long enough (400 × 500 ms over 32 transfers: about 6 s) that the cut comes mid-job.
    const contents = makeTree(name, 400);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 500 } : undefined);
    addWorker({ SHIFT_DATABASE_URL: relayed.href });
    const id = await createPush(name);
    const client = inspectionClient(lab.s3.endpoint);
    await until("some objects landed", async () => (await listKeys(client, BUCKET, `${name}/`)).length >= 40);
    const jobId = (await status(id)).current_job.job_id;

    relay.cut();
    const cutAt = Date.now();
    await until("the cut-off worker to stop its job", async () =>
      lab.app.output().includes(`worker: job ${jobId}: its lease could not be renewed in time; stopping it here`),
    );
    // It stops within its share of the lease (0.8 of 3 s, counted from its last renewal), before anyone may take over.
    expect(Date.now() - cutAt).toBeLessThan(LEASE_SECONDS * 1000);
    // Once what it had in flight has landed, it sends nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const sentBefore = lab.proxy.count((r) => r.method === "PUT");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(lab.proxy.count((r) => r.method === "PUT")).toBe(sentBefore);
    const landed = new Set(await listKeys(client, BUCKET, `${name}/`));
    lab.proxy.reset();
    lab.proxy.interceptor = undefined;

    addWorker();
    const done = await waitForJobEnd(lab.app, lab.token, id, 40_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "", takeovers: 1 });
    const progress = done.last_job.job_progress;
    expect(Number(progress.files_transferred) + Number(progress.files_unchanged)).toBe(contents.size);
    expect(
      lab.proxy.requests.filter((r) => r.method === "PUT" && landed.has(r.path.slice(`/${BUCKET}/`.length))),
    ).toEqual([]);
    await expectObjects(name, contents);

    // The link returns: what the cut-off worker still had to say reaches the database and is refused.
    const before = await status(id);
    relay.restore();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await status(id)).toEqual(before);
  });
});
