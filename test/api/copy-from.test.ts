import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { openAppDatabase } from "../support/app-database";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";
import { listKeys } from "../support/engine-harness";
import { isListing } from "../support/listing-xml";
import { inspectionClient } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "pull-bucket";
const lab = useAppWithStore(BUCKET);

beforeAll(async () => {
  for (const dir of ["shared/src/inner", "pull/a/x", "pull/ab", "pull/b", "life", "conflict", "estimate"]) {
    fs.mkdirSync(path.join(lab.app.fsRoot, dir), { recursive: true });
  }
});

const put = (key: string, body: string) =>
  inspectionClient(lab.s3.endpoint).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

const create = (overrides: Record<string, unknown>) =>
  lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: {
      direction: "COPY_FROM_OBJECT",
      ...storeFields(lab.proxy.port, BUCKET),
      object_folder: "unused/",
      ...overrides,
    },
  });

async function expectOverlap(overrides: Record<string, unknown>, description: RegExp) {
  const before = (await lab.app.call("GET", `${BASE}/`, { token: lab.token })).json.length;
  const reply = await create(overrides);
  expect(reply.status).toBe(400);
  expect(reply.json).toMatchObject({ error_class: "validation_error", field: "local_directory_path" });
  expect(reply.json.description).toMatch(description);
  expect((await lab.app.call("GET", `${BASE}/`, { token: lab.token })).json.length).toBe(before);
}

describe("the overlap rule at creation", () => {
  it("keeps a copy from S3 out of every other relationship's directory, in either order of creation", async () => {
    const pushing = await create({
      direction: "COPY_TO_OBJECT",
      local_directory_path: "/shared/src",
      object_folder: "pushed/",
    });
    expect(pushing.status).toBe(201);
    const pushId = pushing.json.id;
    const theirs = (dir: string) =>
      new RegExp(
        `^local_directory_path: "${dir}" overlaps "/shared/src/", the directory of a copy to S3 \\(bucket "${BUCKET}", folder "pushed/", relationship ${pushId}\\); a copy from S3 needs a directory that no other relationship uses\\.$`,
      );
    await expectOverlap({ local_directory_path: "/shared/src" }, theirs("/shared/src/"));
    await expectOverlap({ local_directory_path: "/shared/src/inner" }, theirs("/shared/src/inner/"));
    await expectOverlap({ local_directory_path: "/shared" }, theirs("/shared/"));
    await expectOverlap({ local_directory_path: "/" }, theirs("/"));

    const pulling = await create({ local_directory_path: "/pull/a", object_folder: "pulled/" });
    expect(pulling.status).toBe(201);
    const pullId = pulling.json.id;
    await expectOverlap(
      { local_directory_path: "/pull/a" },
      new RegExp(
        `^local_directory_path: "/pull/a/" overlaps "/pull/a/", the directory of a copy from S3 .*relationship ${pullId}\\)`,
      ),
    );
    // A copy to S3 may not read from inside a directory that a copy from S3 writes into.
    await expectOverlap(
      { direction: "COPY_TO_OBJECT", local_directory_path: "/pull/a/x" },
      new RegExp(
        `^local_directory_path: "/pull/a/x/" overlaps "/pull/a/", which a copy from S3 writes into \\(bucket "${BUCKET}", folder "pulled/", relationship ${pullId}\\); choose a directory outside it\\.$`,
      ),
    );
    // "/pull/ab/" shares a prefix with "/pull/a/" but is not inside it.
    expect((await create({ local_directory_path: "/pull/ab", object_folder: "ab/" })).status).toBe(201);
    expect((await create({ local_directory_path: "/pull/b", object_folder: "b/" })).status).toBe(201);
    // Two copies to S3 may share a directory.
    expect(
      (await create({ direction: "COPY_TO_OBJECT", local_directory_path: "/shared/src", object_folder: "again/" }))
        .status,
    ).toBe(201);
  });

  it("lets one of several overlapping copies from S3 created at the same moment through, whatever the database", async () => {
    fs.mkdirSync(path.join(lab.app.fsRoot, "race/inner"), { recursive: true });
    // On PostgreSQL each create's transaction is held open 2 s after its overlap check (its first
    // job's insert is made to wait), so the transactions surely overlap: without their lock, each
    // would check before the others' rows were committed, and all would pass. SQLite's writers
    // take turns by themselves.
    const slow = await openAppDatabase(lab.app);
    if (slow.kind === "postgresql") {
      await slow.run(
        `CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$`,
      );
      await slow.run(`CREATE TRIGGER slow_insert BEFORE INSERT ON "Job" FOR EACH ROW EXECUTE FUNCTION slow_insert()`);
    }
    let replies;
    try {
      replies = await Promise.all(
        ["/race", "/race/inner", "/race", "/race/inner", "/race", "/race/inner"].map((dir, i) =>
          create({ local_directory_path: dir, object_folder: `race-${i}/` }),
        ),
      );
    } finally {
      if (slow.kind === "postgresql") {
        await slow.run(`DROP TRIGGER slow_insert ON "Job"`);
        await slow.run(`DROP FUNCTION slow_insert`);
      }
      await slow.close();
    }
    expect(replies.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400, 400]);
    for (const reply of replies.filter((r) => r.status === 400))
      expect(reply.json.description).toMatch(
        /^local_directory_path: "\/race\/(inner\/)?" overlaps "\/race\/(inner\/)?"/,
      );
    const listed = (await lab.app.call("GET", `${BASE}/`, { token: lab.token })).json as {
      local_directory_path: string;
    }[];
    expect(listed.filter((r) => r.local_directory_path.startsWith("/race"))).toHaveLength(1);
  });
});

describe("a copy from S3 through the API", () => {
  it("creates, pulls at once, repeats without downloading, and deletes without touching local files", async () => {
    await put("life/one.txt", "one");
    await put("life/sub/two.txt", "two!");
    await put("life/empty/", "");
    const created = await create({ local_directory_path: "/life", object_folder: "life" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      direction: "COPY_FROM_OBJECT",
      local_directory_path: "/life/",
      object_folder: "life/",
    });
    const id = created.json.id;

    const first = await waitForJobEnd(lab.app, lab.token, id);
    expect(first.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "", read_mode: null });
    expect(first.last_job.job_progress).toMatchObject({
      files_transferred: "2",
      files_total: "2",
      bytes_total: "7",
      percent_complete: 100,
    });
    const local = (p: string) => path.join(lab.app.fsRoot, "life", p);
    expect(fs.readFileSync(local("one.txt"), "utf8")).toBe("one");
    expect(fs.readFileSync(local("sub/two.txt"), "utf8")).toBe("two!");
    expect(fs.statSync(local("empty")).isDirectory()).toBe(true);

    lab.proxy.reset();
    expect((await lab.app.call("POST", `${BASE}/${id}/replicate`, { token: lab.token })).status).toBe(200);
    const second = await waitForJobEnd(lab.app, lab.token, id);
    expect(second.last_job.job_progress).toMatchObject({ files_unchanged: "2", files_transferred: "0" });
    expect(lab.proxy.count((r) => r.method === "GET" && !isListing(r.query))).toBe(0);

    expect((await lab.app.call("DELETE", `${BASE}/${id}`, { token: lab.token })).status).toBe(204);
    expect(fs.readFileSync(local("one.txt"), "utf8")).toBe("one");
    expect(await listKeys(inspectionClient(lab.s3.endpoint), BUCKET, "life/")).toHaveLength(3);
  });

  it("reports a folder that cannot be copied in last_job.error, naming the key", async () => {
    await put("conflict/a/b", "file");
    await put("conflict/a/b/c", "under it");
    const created = await create({ local_directory_path: "/conflict", object_folder: "conflict/" });
    const status = await waitForJobEnd(lab.app, lab.token, created.json.id);
    expect(status.last_job).toMatchObject({ outcome: "FAILED", completed_with_errors: false });
    expect(status.last_job.error).toBe(
      'The folder cannot be copied: the key "conflict/a/b" is a file, yet "conflict/a/b/c" needs it to be a directory. Nothing was downloaded.',
    );
    expect(fs.readdirSync(path.join(lab.app.fsRoot, "conflict"))).toEqual([]);
  });

  it("claims no percentage and no end time while the listing is still being counted", async () => {
    for (let i = 0; i < 5; i++) await put(`estimate/f${i}.txt`, `file ${i}`);
    lab.proxy.interceptor = (request) =>
      isListing(request.query) && request.query.get("prefix") === "estimate/" && request.query.get("max-keys") !== "1"
        ? { delayMs: 2500 }
        : undefined;
    const created = await create({ local_directory_path: "/estimate", object_folder: "estimate/" });
    let during:
      | { current_job: { estimated_end_time: string; job_progress: { percent_complete: number | null } } | null }
      | undefined;
    for (let i = 0; i < 40 && !during?.current_job; i++) {
      during = (await lab.app.call("GET", `${BASE}/${created.json.id}/status`, { token: lab.token })).json;
      if (!during?.current_job) await new Promise((r) => setTimeout(r, 100));
    }
    expect(during?.current_job?.job_progress.percent_complete).toBeNull();
    expect(during?.current_job?.estimated_end_time).toBe("");
    const done = await waitForJobEnd(lab.app, lab.token, created.json.id);
    expect(done.last_job.job_progress).toMatchObject({ files_transferred: "5", percent_complete: 100 });
  });
});
