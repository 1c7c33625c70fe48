// One job split into work units across workers on three hosts of their own
// (test/support/hosts-lab.ts): every object verified and sent once, a worker killed mid-unit or
// cut off from the network with its units finished elsewhere and its counters exact, and a stop
// that reaches every host within 2 s. Run with PostgreSQL, as root.
import { compareUtf8 } from "@/lib/engine/key-order";
import { describe, expect, it } from "vitest";
import { waitForJobEnd } from "../support/app-server";
import { listKeys } from "../support/engine-harness";
import { RELATIONSHIPS, useHostsLab } from "../support/hosts-lab";
import { inspectionClient } from "../support/s3-server";
import { canMakeHosts } from "../support/test-hosts";
import { until } from "../support/until";
import { expectBucketHolds, writeTree } from "../support/worker-scenarios";

const BUCKET = "units-bucket";
const LEASE_SECONDS = 3;
const UNIT_FILES = 500;
/** Two units at a time per worker, of 8 transfers each: the S3 server keeps up, and a job of 6 units or more runs on every host. */
const WORKER_ENV = { SHIFT_UNIT_FILES: String(UNIT_FILES), SHIFT_WORKER_CONCURRENCY: "8", SHIFT_WORKER_JOBS: "2" };

interface UnitRow {
  index: number;
  lowerBound: string;
  state: string;
  workerId: string | null;
  doneThrough: string | null;
  doneBeyond: string;
  outcome: string | null;
  takeovers: number;
}

describe.runIf(process.env.SHIFT_TEST_DATABASE === "postgresql" && canMakeHosts())("one job across three hosts", () => {
  const setup = useHostsLab(BUCKET, { hosts: 3, leaseSeconds: LEASE_SECONDS });

  const lab = () => setup.hostsLab.lab;
  const sentKeys = () =>
    lab()
      .proxy.requests.filter((r) => r.method === "PUT")
      .map((r) => decodeURIComponent(r.path.split("/").slice(2).join("/")));
  const units = async (jobId: string): Promise<UnitRow[]> =>
    (
      await setup.database.query<UnitRow>(
        `SELECT index, "lowerBound", state, "workerId", "doneThrough", "doneBeyond", outcome, takeovers FROM "JobUnit" WHERE "jobId" = $1 ORDER BY index`,
        [jobId],
      )
    ).rows;
  const logOf = (id: string) => setup.hostsLab.logOf(id);
  /** The host each unit's latest attempt ran on, from the units' rows. */
  const hostsRunning = async (jobId: string) =>
    new Set(
      (await units(jobId))
        .filter((u) => u.state === "RUNNING" && u.workerId)
        .map((u) => setup.hostsLab.hostOf(u.workerId!)),
    );
  const start = async (name: string, files: number) => {
    const contents = writeTree(lab().app.fsRoot, name, files, (i) => 100 + (i % 900));
    const id = await setup.hostsLab.createPush(name);
    await until("the job to start", async () => (await setup.hostsLab.status(id)).current_job?.job_id !== undefined);
    return { contents, id, jobId: (await setup.hostsLab.status(id)).current_job.job_id as string };
  };
  const expectExactCounts = (progress: Record<string, string>, files: number) => {
    expect(progress.files_total).toBe(String(files));
    expect(Number(progress.files_transferred) + Number(progress.files_unchanged)).toBe(files);
    expect(progress.files_failed).toBe("0");
  };

  it("three workers share one 20,000-file job: every object sent once and verified; the repeat is split from the tracking and sends nothing", async () => {
    setup.hostsLab.startWorkers(WORKER_ENV);
    const files = 20_000;
    const { contents, id, jobId } = await start("big", files);
    const done = await waitForJobEnd(lab().app, lab().token, id, 300_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expect(done.last_job.job_progress).toMatchObject({ files_total: String(files), files_transferred: String(files) });
    const sent = sentKeys();
    expect(sent).toHaveLength(files);
    expect(new Set(sent).size).toBe(files);
    await expectBucketHolds(lab().s3.endpoint, BUCKET, "big", contents);

    const rows = await units(jobId);
    expect(rows.length).toBeGreaterThanOrEqual(files / UNIT_FILES - 1);
    expect(rows.every((u) => u.state === "DONE" && u.outcome === "SUCCEEDED")).toBe(true);
    const log = await logOf(id);
    const ranOn = new Set(log.filter((l) => l.event === "unit-start").map((l) => setup.hostsLab.hostOf(l.worker!)));
    expect([...ranOn].sort()).toEqual([0, 1, 2]);

    // New workers with empty data directories: the repeat is cut from the shared tracking at once.
    await setup.hostsLab.reset();
    setup.hostsLab.startWorkers(WORKER_ENV);
    lab().proxy.reset();
    expect((await lab().app.call("POST", `${RELATIONSHIPS}/${id}/replicate`, { token: lab().token })).status).toBe(200);
    const repeat = (await waitForJobEnd(lab().app, lab().token, id, 120_000)).last_job;
    expect(repeat.outcome).toBe("SUCCEEDED");
    // Totals honest whether the coordinator's walk for them or the units ended first.
    expect(repeat.job_progress).toMatchObject({
      files_transferred: "0",
      files_unchanged: String(files),
      files_total: String(files),
      percent_complete: 100,
    });
    expect(sentKeys()).toEqual([]);
    const starts = (await logOf(id)).filter((l) => l.event === "job-start");
    expect(starts.at(-1)!.units).toBeGreaterThanOrEqual(2);
  }, 420_000);

  it("a worker killed mid-unit: its units finish on the other hosts, nothing it had recorded is sent again, counters exact", async () => {
    setup.hostsLab.startWorkers(WORKER_ENV);
    const files = 6_000;
    lab().proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 30 } : undefined);
    const { contents, id, jobId } = await start("killed", files);
    const client = inspectionClient(lab().s3.endpoint);
    await until("units running on every host", async () => (await hostsRunning(jobId)).size === 3, 60_000);
    await until("some objects landed", async () => (await listKeys(client, BUCKET, "killed/")).length >= 1_000);
    const victim = [...(await hostsRunning(jobId))][0]!;
    const victimPid = setup.hostsLab.workers[victim]!.pid;
    await setup.hostsLab.workers[victim]!.kill();
    // What the killed worker's units had committed: a later attempt must not send any of it again.
    const recorded = new Set<string>();
    const recordedRuns: Array<{ from: string; through: string }> = [];
    for (const unit of await units(jobId)) {
      if (!unit.workerId?.includes(`:${victimPid}:`)) continue;
      if (unit.doneThrough) recordedRuns.push({ from: unit.lowerBound, through: unit.doneThrough });
      for (const key of JSON.parse(unit.doneBeyond) as string[]) recorded.add(key);
    }
    const wasRecorded = (key: string) =>
      recorded.has(key) ||
      recordedRuns.some((run) => compareUtf8(key, run.from) >= 0 && compareUtf8(key, run.through) <= 0);
    const sentBefore = new Set(sentKeys());

    const done = await waitForJobEnd(lab().app, lab().token, id, 180_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expectExactCounts(done.last_job.job_progress, files);
    await expectBucketHolds(lab().s3.endpoint, BUCKET, "killed", contents);
    const takenOver = (await logOf(id)).filter((l) => l.event === "unit-start" && (l.takeovers ?? 0) > 0);
    expect(takenOver.length).toBeGreaterThanOrEqual(1);
    for (const line of takenOver) expect(setup.hostsLab.hostOf(line.worker!)).not.toBe(victim);

    // Sent twice: only what the killed worker had on the wire or had not yet committed.
    const counts = new Map<string, number>();
    for (const key of sentKeys()) counts.set(key, (counts.get(key) ?? 0) + 1);
    const again = [...counts].filter(([, n]) => n > 1).map(([key]) => key.slice("killed/".length));
    for (const key of again) {
      expect(wasRecorded(key), `${key} had been recorded`).toBe(false);
      expect(sentBefore.has(`killed/${key}`)).toBe(true);
    }
    client.destroy();
  }, 300_000);

  it("a worker shut down (SIGTERM) hands its units back at once; the others finish them, counters exact", async () => {
    setup.hostsLab.startWorkers(WORKER_ENV);
    const files = 4_000;
    lab().proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 30 } : undefined);
    const { contents, id, jobId } = await start("handed", files);
    await until("units running on every host", async () => (await hostsRunning(jobId)).size === 3, 60_000);
    const leaving = [...(await hostsRunning(jobId))][0]!;
    const stoppedAt = Date.now();
    await setup.hostsLab.workers[leaving]!.terminate();
    const handedBack = (await logOf(id)).filter((l) => l.event === "unit-handed-back");
    expect(handedBack.length).toBeGreaterThanOrEqual(1);
    const done = await waitForJobEnd(lab().app, lab().token, id, 180_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expectExactCounts(done.last_job.job_progress, files);
    await expectBucketHolds(lab().s3.endpoint, BUCKET, "handed", contents);
    // Continued on another host as soon as a worker there had a slot free.
    const log = await logOf(id);
    for (const line of handedBack) {
      const next = log.find((l) => l.event === "unit-start" && l.unit === line.unit && Date.parse(l.time) > stoppedAt);
      expect(next, `unit ${line.unit} continued`).toBeDefined();
      expect(setup.hostsLab.hostOf(next!.worker!)).not.toBe(leaving);
    }
    // Handed back, not lost: no unit waited for its lease to run out and was taken over.
    expect((await units(jobId)).every((u) => u.takeovers === 0)).toBe(true);
  }, 300_000);

  it("a host cut off mid-unit: its units are redone elsewhere, and when its link returns its late writes are refused", async () => {
    setup.hostsLab.startWorkers(WORKER_ENV);
    const files = 4_000;
    // Units of several seconds: the host cut is still inside the unit it was seen running.
    lab().proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 100 } : undefined);
    const { contents, id, jobId } = await start("cut", files);
    await until("units running on every host", async () => (await hostsRunning(jobId)).size === 3, 60_000);
    const cut = [...(await hostsRunning(jobId))][0]!;
    setup.hostsLab.hosts.cut(cut);
    await until("the cut-off host to stop its units", async () =>
      /worker: unit \d+ of job [^:]+: its lease could not be renewed in time; stopping it here/.test(
        lab().app.output(),
      ),
    );
    const done = await waitForJobEnd(lab().app, lab().token, id, 180_000);
    expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expectExactCounts(done.last_job.job_progress, files);
    await expectBucketHolds(lab().s3.endpoint, BUCKET, "cut", contents);

    const before = { status: await setup.hostsLab.status(id), units: await units(jobId) };
    setup.hostsLab.hosts.restore(cut);
    // Whatever the cut-off worker still had to write reaches PostgreSQL now, and is refused.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect({ status: await setup.hostsLab.status(id), units: await units(jobId) }).toEqual(before);
  }, 300_000);

  it("a stop reaches every host running a unit within 2 s", async () => {
    setup.hostsLab.startWorkers(WORKER_ENV);
    lab().proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 200 } : undefined);
    const { id, jobId } = await start("stopped", 4_000);
    await until("units running on every host", async () => (await hostsRunning(jobId)).size === 3, 60_000);
    // The Workers list shows what each host runs: the job on the one that coordinates it, and parts everywhere.
    const listed = (await lab().app.call("GET", "/v3/replication/workers", { token: lab().token })).json as any[];
    const coordinating = listed.flatMap((w) => w.running_jobs).filter((j) => j.job_id === jobId);
    expect(coordinating).toHaveLength(1);
    expect(coordinating[0].work_units).toBeGreaterThanOrEqual(6);
    const withParts = listed.filter((w) => w.running_units.some((u: { job_id: string }) => u.job_id === jobId));
    expect(new Set(withParts.map((w) => setup.hostsLab.hostOf(w.id)))).toEqual(new Set([0, 1, 2]));
    const askedAt = Date.now();
    expect(
      (await lab().app.call("POST", `${RELATIONSHIPS}/${id}/abort-replication`, { token: lab().token })).status,
    ).toBe(200);
    const ended = (await waitForJobEnd(lab().app, lab().token, id, 30_000)).last_job;
    expect(ended.outcome).toBe("ABORTED");
    const log = await logOf(id);
    const hostOfUnit = new Map<number, number>();
    for (const line of log)
      if (line.event === "unit-start") hostOfUnit.set(line.unit!, setup.hostsLab.hostOf(line.worker!));
    const reached = log.filter((line) => line.event === "stop-requested" && line.unit !== undefined);
    expect(new Set(reached.map((line) => hostOfUnit.get(line.unit!)))).toEqual(new Set([0, 1, 2]));
    for (const line of reached) expect(Date.parse(line.time) - askedAt, `unit ${line.unit}`).toBeLessThanOrEqual(2_000);
    // No unit started after the stop, and none is left running.
    expect(log.filter((l) => l.event === "unit-start" && Date.parse(l.time) > askedAt + 500)).toEqual([]);
    expect((await units(jobId)).filter((u) => u.state !== "DONE")).toEqual([]);
  }, 120_000);
});
