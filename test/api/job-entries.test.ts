import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, OBSERVER, storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";
import { consoleSignIn, withCookie } from "../support/console-cookie";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "entries-bucket";
const lab = useAppWithStore(BUCKET);

/** A tree with one file whose key is too long, a symbolic link named like a spreadsheet formula, and a FIFO. */
function makeTree(name: string, folder: string) {
  const root = path.join(lab.app.fsRoot, name);
  const deep = path.join(root, ...Array.from({ length: 4 }, () => "d".repeat(200)));
  fs.mkdirSync(deep, { recursive: true });
  const tooLong = "x".repeat(1024 - folder.length - (4 * 201 + 0));
  fs.writeFileSync(path.join(deep, tooLong), "too long");
  fs.writeFileSync(path.join(root, "fine.txt"), "fine");
  fs.symlinkSync("/etc/passwd", path.join(root, "=HYPERLINK(1).lnk"));
  execFileSync("mkfifo", [path.join(root, "pipe")]);
  return { tooLongPath: `${"d".repeat(200)}/`.repeat(4) + tooLong };
}

const sessions = new Map<string, string>();

/** A GET from the console, signed in as the user (the admin unless told). */
async function download(url: string, user = { username: "admin", password: ADMIN_PASSWORD }) {
  let session = sessions.get(user.username);
  if (!session) sessions.set(user.username, (session = await consoleSignIn(lab.app, user.username, user.password)));
  return fetch(`${lab.app.url}${url}`, withCookie(session));
}

async function createAndRun(name: string, folder: string) {
  const created = await lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: {
      direction: "COPY_TO_OBJECT",
      ...storeFields(lab.proxy.port, BUCKET),
      local_directory_path: `/${name}`,
      object_folder: folder,
    },
  });
  expect(created.status).toBe(201);
  const status = await waitForJobEnd(lab.app, lab.token, created.json.id);
  return { id: created.json.id as string, status };
}

describe("a job that could not copy every file", () => {
  it("ends as Completed with errors, and its failed and skipped entries download as CSV with their reasons", async () => {
    const { tooLongPath } = makeTree("entries", "entries/");
    const { id, status } = await createAndRun("entries", "entries/");

    // The seed's words keep their meaning (SPEC §5.3: a job with per-file errors ends as failed, with
    // an error); completed_with_errors says it went through every entry.
    expect(status.last_job.outcome).toBe("FAILED");
    expect(status.last_job.completed_with_errors).toBe(true);
    expect(status.last_job.error).toMatch(
      /^1 file could not be copied: "d{200}\/.*x+" \(see the job's file errors\)\.$/,
    );
    expect(status.last_job.job_progress).toMatchObject({
      files_transferred: "1",
      files_failed: "1",
      entries_skipped: "2",
      entries_skipped_by_reason: { symlink: 1, fifo: 1 },
    });

    // A read-only operator's console session downloads it.
    const csv = await download(`/copies/${id}/jobs/${status.last_job.job_id}/entries`, OBSERVER);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toBe(
      `attachment; filename="job-${status.last_job.job_id}-entries.csv"`,
    );
    const rows = (await csv.text()).trimEnd().split("\r\n");
    expect(rows[0]).toBe('"path","result","code","reason"');
    expect(rows.slice(1).sort()).toEqual(
      [
        `"${tooLongPath}","failed","","key is 1024 bytes of UTF-8; S3 keys must be shorter than 1024"`,
        `"'=HYPERLINK(1).lnk","skipped","symlink","symbolic link"`,
        '"pipe","skipped","fifo","FIFO"',
      ].sort(),
    );
  });

  it("answers 404 for a job of another copy, and for a job id that does not exist", async () => {
    fs.mkdirSync(path.join(lab.app.fsRoot, "other"), { recursive: true });
    fs.writeFileSync(path.join(lab.app.fsRoot, "other", "a.txt"), "a");
    const mine = await createAndRun("other", "other/");
    fs.mkdirSync(path.join(lab.app.fsRoot, "third"), { recursive: true });
    const theirs = await createAndRun("third", "third/");

    const foreign = await download(`/copies/${mine.id}/jobs/${theirs.status.last_job.job_id}/entries`);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({
      error_class: "not_found",
      description: `This copy has no job with the id "${theirs.status.last_job.job_id}".`,
    });
    const unknown = await download(`/copies/${mine.id}/jobs/not-a-job/entries`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).description).toBe('This copy has no job with the id "not-a-job".');
  });

  it("keeps the lists of a copy's 20 newest jobs only; an older job keeps its counts", async () => {
    const root = path.join(lab.app.fsRoot, "linked");
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "kept.txt"), "kept");
    fs.symlinkSync("/etc/hostname", path.join(root, "a-link"));
    const { id, status: first } = await createAndRun("linked", "linked/");
    const firstJob = first.last_job.job_id as string;
    const rowsOf = async (jobId: string) =>
      (await (await download(`/copies/${id}/jobs/${jobId}/entries`)).text()).trimEnd().split("\r\n");
    expect(await rowsOf(firstJob)).toHaveLength(2);
    let last = first;
    for (let i = 0; i < 20; i++) {
      expect((await lab.app.call("POST", `${BASE}/${id}/replicate`, { token: lab.token })).status).toBe(200);
      last = await waitForJobEnd(lab.app, lab.token, id);
    }
    expect(await rowsOf(firstJob)).toEqual(['"path","result","code","reason"']);
    expect(await rowsOf(last.last_job.job_id)).toEqual([
      '"path","result","code","reason"',
      '"a-link","skipped","symlink","symbolic link"',
    ]);
    const page = await download(`/copies/${id}/jobs/${firstJob}`);
    expect(await page.text()).toContain("their list is no longer kept (a copy keeps the lists of its");
  });
});
