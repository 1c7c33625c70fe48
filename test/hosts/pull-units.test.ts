// One copy from S3 split into work units across workers on three hosts of their own
// (test/support/hosts-lab.ts): the whole folder checked before any unit writes, every file
// verified on disk, a worker killed mid-download with its units finished elsewhere, nothing it
// had recorded fetched again, and its temporary files swept by another host. Run with
// PostgreSQL, as root.
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { compareUtf8 } from "@/lib/engine/key-order";
import { describe, expect, it } from "vitest";
import { waitForJobEnd } from "../support/app-server";
import { sha256Hex } from "../support/engine-harness";
import { useHostsLab } from "../support/hosts-lab";
import { isListing } from "../support/listing-xml";
import { inspectionClient } from "../support/s3-server";
import { canMakeHosts } from "../support/test-hosts";
import { until } from "../support/until";

const BUCKET = "pull-units-bucket";
const LEASE_SECONDS = 3;
const UNIT_FILES = 500;
const WORKER_ENV = { SHIFT_UNIT_FILES: String(UNIT_FILES), SHIFT_WORKER_CONCURRENCY: "8", SHIFT_WORKER_JOBS: "2" };
/** Past the size a pull fetches into memory first: these are written to a temporary file as they arrive. */
const LARGE = 300 * 1024;

describe.runIf(process.env.SHIFT_TEST_DATABASE === "postgresql" && canMakeHosts())(
  "one pull across three hosts",
  () => {
    const setup = useHostsLab(BUCKET, { hosts: 3, leaseSeconds: LEASE_SECONDS });

    const lab = () => setup.hostsLab.lab;
    /** Objects put straight into the S3 server (not through the proxy that counts the workers' requests). */
    async function seed(folder: string, objects: Map<string, Buffer>): Promise<void> {
      const client = inspectionClient(lab().s3.endpoint);
      const all = [...objects];
      for (let i = 0; i < all.length; i += 32)
        await Promise.all(
          all
            .slice(i, i + 32)
            .map(([key, body]) =>
              client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${folder}/${key}`, Body: body })),
            ),
        );
      client.destroy();
    }
    const fetchedKeys = () =>
      lab()
        .proxy.requests.filter((r) => r.method === "GET" && !isListing(r.query))
        .map((r) => decodeURIComponent(r.path.split("/").slice(2).join("/")));
    const logOf = (id: string) => setup.hostsLab.logOf(id);
    const unitRows = async (jobId: string) =>
      (
        await setup.database.query<{
          lowerBound: string;
          workerId: string | null;
          doneThrough: string | null;
          doneBeyond: string;
          state: string;
        }>(
          `SELECT "lowerBound", "workerId", "doneThrough", "doneBeyond", state FROM "JobUnit" WHERE "jobId" = $1 ORDER BY index`,
          [jobId],
        )
      ).rows;
    const filesUnder = (dir: string) =>
      (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[]).filter((p) =>
        fs.statSync(path.join(dir, p)).isFile(),
      );
    /** The temporary files a process holds open, relative to `dir`. */
    const openPartials = (pid: number, dir: string): string[] => {
      try {
        return fs
          .readdirSync(`/proc/${pid}/fd`)
          .map((fd) => {
            try {
              return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
            } catch {
              return "";
            }
          })
          .filter((target) => target.startsWith(dir + "/") && target.endsWith(".partial"))
          .map((target) => path.relative(dir, target));
      } catch {
        return [];
      }
    };

    it("a worker killed mid-download: its units finish on the other hosts, nothing it recorded is fetched again, its temporary files are swept, every file verified", async () => {
      const files = 6_000;
      const objects = new Map<string, Buffer>();
      for (let i = 0; i < files; i++)
        objects.set(
          `d${i % 4}/f${String(i).padStart(4, "0")}.bin`,
          Buffer.alloc(i % 250 === 7 ? LARGE : 100 + (i % 900), `object ${i}`),
        );
      await seed("source", objects);
      const target = path.join(lab().app.fsRoot, "restored");
      // Large objects arrive slowly: each sits in a temporary file for seconds.
      const large = new Set(
        [...objects].filter(([, body]) => body.length === LARGE).map(([key]) => `/${BUCKET}/source/${key}`),
      );
      lab().proxy.interceptor = (r) =>
        r.method === "GET" && !isListing(r.query)
          ? { delayMs: large.has(decodeURIComponent(r.path)) ? 4_000 : 30 }
          : undefined;
      setup.hostsLab.startWorkers(WORKER_ENV);
      const id = await setup.hostsLab.createPull("restored", "source");
      await until("the job to start", async () => (await setup.hostsLab.status(id)).current_job?.job_id !== undefined);
      const jobId = (await setup.hostsLab.status(id)).current_job.job_id as string;

      let victim = -1;
      await until(
        "a worker writing a large object",
        async () => {
          victim = setup.hostsLab.workers.findIndex((w) => openPartials(w.pid, target).length > 0);
          return victim >= 0;
        },
        90_000,
      );
      const victimPid = setup.hostsLab.workers[victim]!.pid;
      const leftovers = openPartials(victimPid, target);
      await setup.hostsLab.workers[victim]!.kill();
      for (const file of leftovers) expect(fs.existsSync(path.join(target, file)), file).toBe(true);
      // What the killed worker's units had committed: a later attempt must not fetch any of it again.
      const rows = (await unitRows(jobId)).filter((u) => u.workerId?.includes(`:${victimPid}:`));
      const wasRecorded = (key: string) =>
        rows.some(
          (u) =>
            (u.doneThrough !== null && compareUtf8(key, u.lowerBound) >= 0 && compareUtf8(key, u.doneThrough) <= 0) ||
            (JSON.parse(u.doneBeyond) as string[]).includes(key),
        );

      const done = await waitForJobEnd(lab().app, lab().token, id, 240_000);
      expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
      const progress = done.last_job.job_progress;
      expect(progress.files_total).toBe(String(files));
      expect(Number(progress.files_transferred) + Number(progress.files_unchanged)).toBe(files);
      expect(progress.files_failed).toBe("0");

      // Every file on disk, byte for byte, and nothing else: the killed worker's temporary files swept.
      expect(filesUnder(target).sort(compareUtf8)).toEqual([...objects.keys()].sort(compareUtf8));
      for (const [key, body] of objects)
        expect(sha256Hex(fs.readFileSync(path.join(target, key))), key).toBe(sha256Hex(body));
      const log = await logOf(id);
      const swept = log.filter((l) => l.event === "leftovers-removed").reduce((sum, l) => sum + (l.count ?? 0), 0);
      expect(swept).toBeGreaterThanOrEqual(leftovers.length);
      expect((await setup.database.query(`SELECT 1 FROM "PartialDirectory"`)).rowCount).toBe(0);

      const takenOver = log.filter((l) => l.event === "unit-start" && (l.takeovers ?? 0) > 0);
      expect(takenOver.length).toBeGreaterThanOrEqual(1);
      for (const line of takenOver) expect(setup.hostsLab.hostOf(line.worker!)).not.toBe(victim);
      const counts = new Map<string, number>();
      for (const key of fetchedKeys()) counts.set(key, (counts.get(key) ?? 0) + 1);
      for (const [key, n] of counts)
        if (n > 1) expect(wasRecorded(key.slice("source/".length)), `${key} had been recorded`).toBe(false);
      expect(
        new Set(log.filter((l) => l.event === "unit-start").map((l) => setup.hostsLab.hostOf(l.worker!))).size,
      ).toBe(3);
    }, 360_000);

    it("keys that clash across two units' ranges fail the job before any unit runs: nothing is downloaded", async () => {
      const objects = new Map<string, Buffer>();
      // "d/f" is a file, yet "d/f/inner" needs it to be a directory; 600 keys sort between them ("-" before "/").
      objects.set("d/f", Buffer.from("a file"));
      for (let i = 0; i < 600; i++) objects.set(`d/f-${String(i).padStart(4, "0")}`, Buffer.from(`between ${i}`));
      objects.set("d/f/inner", Buffer.from("needs d/f to be a directory"));
      for (let i = 0; i < 600; i++) objects.set(`e/${String(i).padStart(4, "0")}`, Buffer.from(`after ${i}`));
      await seed("clash", objects);
      setup.hostsLab.startWorkers(WORKER_ENV);
      const id = await setup.hostsLab.createPull("clash-restored", "clash");
      const done = await waitForJobEnd(lab().app, lab().token, id, 120_000);
      expect(done.last_job.outcome).toBe("FAILED");
      expect(done.last_job.error).toBe(
        'The folder cannot be copied: the key "clash/d/f" is a file, yet "clash/d/f/inner" needs it to be a directory. Nothing was downloaded.',
      );
      expect(fetchedKeys()).toEqual([]);
      expect(filesUnder(path.join(lab().app.fsRoot, "clash-restored"))).toEqual([]);
      expect((await unitRows(done.last_job.job_id)).length).toBe(0);
      // The job's file errors name the key, as on one host.
      const errors = await setup.database.query<{ path: string; message: string }>(
        `SELECT path, message FROM "JobFileError" WHERE "jobId" = $1`,
        [done.last_job.job_id],
      );
      expect(errors.rows).toEqual([
        { path: "d/f", message: 'the key "clash/d/f" is a file, yet "clash/d/f/inner" needs it to be a directory' },
      ]);
    }, 180_000);

    /** `files` small objects under `<folder>/`, keys a/0000… then b/0000…, returned by key. */
    async function seedSmall(folder: string, files: number): Promise<Map<string, Buffer>> {
      const objects = new Map<string, Buffer>();
      for (let i = 0; i < files; i++)
        objects.set(`${i < files / 2 ? "a" : "b"}/${String(i).padStart(5, "0")}`, Buffer.from(`${folder} object ${i}`));
      await seed(folder, objects);
      return objects;
    }

    it("a unit that fails for good fails the job with its message; no part starts after it, none is left running", async () => {
      const objects = await seedSmall("denied", 3_000);
      // Every object of the last units is refused: those units end in a fatal error.
      lab().proxy.interceptor = (r) =>
        r.method === "GET" && !isListing(r.query) && decodeURIComponent(r.path) >= `/${BUCKET}/denied/b/02500`
          ? {
              status: 403,
              body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
            }
          : r.method === "GET" && !isListing(r.query)
            ? { delayMs: 20 }
            : undefined;
      setup.hostsLab.startWorkers(WORKER_ENV);
      const id = await setup.hostsLab.createPull("denied-restored", "denied");
      const done = await waitForJobEnd(lab().app, lab().token, id, 180_000);
      expect(done.last_job.outcome).toBe("FAILED");
      expect(done.last_job.error).toBe("Access denied by the store (AccessDenied: Access Denied).");
      const rows = await unitRows(done.last_job.job_id);
      expect(rows.length).toBe(3_000 / UNIT_FILES);
      expect(rows.filter((u) => u.state !== "DONE")).toEqual([]);
      // What the units that ran placed is there, byte for byte.
      const target = path.join(lab().app.fsRoot, "denied-restored");
      for (const file of filesUnder(target))
        expect(fs.readFileSync(path.join(target, file))).toEqual(objects.get(file));
      expect(filesUnder(target).some((file) => file >= "b/02500")).toBe(false);
    }, 180_000);

    it("the worker coordinating a pull shut down (SIGTERM): another takes the job over, its units go on, counters exact", async () => {
      const files = 4_000;
      const objects = await seedSmall("handed", files);
      lab().proxy.interceptor = (r) => (r.method === "GET" && !isListing(r.query) ? { delayMs: 40 } : undefined);
      setup.hostsLab.startWorkers(WORKER_ENV);
      const id = await setup.hostsLab.createPull("handed-restored", "handed");
      await until("the units to run", async () => {
        const jobId = (await setup.hostsLab.status(id)).current_job?.job_id as string | undefined;
        return !!jobId && (await unitRows(jobId)).some((u) => u.state === "RUNNING");
      });
      const status = await setup.hostsLab.status(id);
      const coordinator = setup.hostsLab.hostOf(status.current_job.worker_id);
      await setup.hostsLab.workers[coordinator]!.terminate();

      const done = await waitForJobEnd(lab().app, lab().token, id, 180_000);
      expect(done.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
      const progress = done.last_job.job_progress;
      expect(progress.files_total).toBe(String(files));
      expect(Number(progress.files_transferred) + Number(progress.files_unchanged)).toBe(files);
      const target = path.join(lab().app.fsRoot, "handed-restored");
      expect(filesUnder(target).sort(compareUtf8)).toEqual([...objects.keys()].sort(compareUtf8));
      for (const [key, body] of objects) expect(fs.readFileSync(path.join(target, key)), key).toEqual(body);
      const log = await logOf(id);
      expect(log.filter((l) => l.event === "job-handed-back")).toHaveLength(1);
      const starts = log.filter((l) => l.event === "job-start");
      expect(starts).toHaveLength(2);
      expect(setup.hostsLab.hostOf(starts[1]!.worker!)).not.toBe(coordinator);
      // The units were made once: the new coordinator listed the folder for its totals only.
      expect((await unitRows(done.last_job.job_id)).length).toBe(files / UNIT_FILES);
    }, 240_000);
  },
);
