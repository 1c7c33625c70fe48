import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { listKeys, makeTempDir, readObject, sha256Hex } from "../support/engine-harness";
import { inspectionClient, startS3Server, S3RVER_KEY, S3RVER_SECRET, type S3TestServer } from "../support/s3-server";

const BIN = path.resolve(import.meta.dirname, "../../bin/s3shift.js");
const BUCKET = "cli-bucket";
let app: AppServer;
let s3: S3TestServer;
let configHome: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command without a terminal; `input`, when given, is piped to its standard input. */
function s3shift(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const inherited = { ...process.env };
    delete inherited.S3SHIFT_PASSWORD;
    delete inherited.S3SHIFT_SECRET_ACCESS_KEY;
    const child = spawn(process.execPath, [BIN, "--host", app.url, ...args], {
      env: { ...inherited, XDG_CONFIG_HOME: configHome, ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    child.stdin?.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c));
    child.stderr!.on("data", (c: Buffer) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server([BUCKET])]);
  configHome = makeTempDir("s3shift-cli-config-");
  fs.mkdirSync(path.join(app.fsRoot, "cli-source/nested"), { recursive: true });
  for (let i = 0; i < 40; i++)
    fs.writeFileSync(path.join(app.fsRoot, "cli-source/nested", `f${i}.txt`), `cli file ${i}\n`);
  fs.writeFileSync(path.join(app.fsRoot, "cli-source/big.bin"), Buffer.alloc(2 * 1024 * 1024, 9));
});

afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

const createArgs = (folder: string) => [
  "replication_create_object_relationship",
  "--source-directory-path",
  "/cli-source",
  "--object-store-address",
  "http://127.0.0.1",
  "--port",
  String(s3.port),
  "--bucket-style",
  "BUCKET_STYLE_PATH",
  "--bucket",
  BUCKET,
  "--object-folder",
  folder,
  "--access-key-id",
  S3RVER_KEY,
];

describe("the s3shift command line, end to end against a running server", () => {
  it("says to sign in first, with exit code 3", async () => {
    const run = await s3shift(["replication_list_object_relationships"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^s3shift: not signed in: run "s3shift login" first/);
  });

  it("refuses a wrong password with the API's message", async () => {
    const run = await s3shift(["login", "--username", "admin", "--password", "wrong"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe("s3shift: Invalid username or password.\n");
  });

  it("logs in, creates with the secret from the environment, watches to completion, and prints status JSON", async () => {
    const login = await s3shift(["login", "--username", "admin"], { S3SHIFT_PASSWORD: ADMIN_PASSWORD });
    expect(login.code).toBe(0);
    const tokenFile = path.join(configHome, "s3shift/token.json");
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(tokenFile)).mode & 0o777).toBe(0o700);

    const created = await s3shift(createArgs("from-cli/"), { S3SHIFT_SECRET_ACCESS_KEY: S3RVER_SECRET });
    expect(created.code).toBe(0);
    // stdout is the API's JSON alone; the id a person copies next is on stderr, in words.
    const relationship = JSON.parse(created.stdout);
    expect(relationship).toMatchObject({
      local_directory_path: "/cli-source/",
      object_folder: "from-cli/",
      bucket: BUCKET,
    });
    expect(created.stderr).toBe(
      `created relationship ${relationship.id} (/cli-source/ → s3://${BUCKET}/from-cli/); its first job has started\n` +
        `follow it with: s3shift replication_get_object_relationship_status --id ${relationship.id} --watch\n`,
    );

    const watched = await s3shift(["replication_get_object_relationship_status", "--id", relationship.id, "--watch"]);
    expect(watched.code).toBe(0);
    expect(watched.stderr).toMatch(/^Succeeded: 0 unchanged, 41 sent \(2\.0 MiB\), took \d+(\.\d)? (s|min)/m);
    expect(watched.stderr).not.toMatch(/INF|ETA|counting/);
    const status = JSON.parse(watched.stdout);
    expect(status.state).toBe("REPLICATION_NOT_RUNNING");
    expect(status.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expect(status.last_job.job_progress.files_transferred).toBe("41");

    const s3Client = inspectionClient(s3.endpoint);
    expect(await listKeys(s3Client, BUCKET, "from-cli/")).toHaveLength(41);
    expect((await readObject(s3Client, BUCKET, "from-cli/nested/f7.txt")).body.toString()).toBe("cli file 7\n");
    expect((await readObject(s3Client, BUCKET, "from-cli/big.bin")).metadata.sha256).toBe(
      sha256Hex(Buffer.alloc(2 * 1024 * 1024, 9)),
    );

    const plain = await s3shift(["replication_get_object_relationship_status", "--id", relationship.id]);
    expect(JSON.parse(plain.stdout).id).toBe(relationship.id);
    const list = await s3shift(["replication_list_object_relationship_statuses"]);
    expect(JSON.parse(list.stdout).map((s: { id: string }) => s.id)).toContain(relationship.id);

    // Watching a relationship whose job has ended: the result at once, with no bar at 0%.
    const ended = await s3shift(["replication_get_object_relationship_status", "--id", relationship.id, "--watch"]);
    expect(ended.code).toBe(0);
    expect(ended.stderr).toMatch(/^Succeeded: 0 unchanged, 41 sent \(2\.0 MiB\), took \d+(\.\d)? s\n$/);
    expect(JSON.parse(ended.stdout)).toEqual(JSON.parse(watched.stdout));

    const repeat = await s3shift(["replication_start_object_relationship", "--id", relationship.id]);
    expect(repeat.code).toBe(0);
    const second = await s3shift(["replication_get_object_relationship_status", "--id", relationship.id, "--watch"]);
    expect(JSON.parse(second.stdout).last_job.job_progress.files_unchanged).toBe("41");
    expect(second.stderr).toMatch(/^Succeeded: 41 unchanged, 0 sent, took \d+(\.\d)? s\n$/m);

    const got = await s3shift(["replication_get_object_relationship", "--id", relationship.id]);
    expect(JSON.parse(got.stdout).id).toBe(relationship.id);
    const deleted = await s3shift(["replication_delete_object_relationship", "--id", relationship.id]);
    expect(deleted.code).toBe(0);
    const gone = await s3shift(["replication_get_object_relationship", "--id", relationship.id]);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toBe(`s3shift: No object relationship has the id "${relationship.id}".\n`);
  });

  it("creates and starts with --watch: one command each, ending when the job does, with its final status", async () => {
    const created = await s3shift([...createArgs("watched/"), "--watch"], { S3SHIFT_SECRET_ACCESS_KEY: S3RVER_SECRET });
    expect(created.code).toBe(0);
    const first = JSON.parse(created.stdout);
    expect(created.stderr).toMatch(
      new RegExp(
        `^created relationship ${first.id} \\(/cli-source/ → s3://${BUCKET}/watched/\\); its first job has started\n`,
      ),
    );
    expect(created.stderr).toMatch(/█{24} 100%\nSucceeded: 0 unchanged, 41 sent \(2\.0 MiB\), took [^\n]+\n$/);
    expect(first.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expect(first.last_job.job_progress.files_transferred).toBe("41");

    const repeat = await s3shift(["replication_start_object_relationship", "--id", first.id, "--watch"]);
    expect(repeat.code).toBe(0);
    const second = JSON.parse(repeat.stdout);
    // The status of the job this command started, not of the first one.
    expect(second.last_job.job_id).not.toBe(first.last_job.job_id);
    expect(second.last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expect(second.last_job.job_progress.files_unchanged).toBe("41");
  });

  it("pulls a bucket folder into a local directory with --direction COPY_FROM_OBJECT", async () => {
    const s3Client = inspectionClient(s3.endpoint);
    for (let i = 0; i < 5; i++)
      await s3Client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `to-pull/d${i % 2}/p${i}.txt`, Body: `pulled ${i}\n` }),
      );
    fs.mkdirSync(path.join(app.fsRoot, "cli-pulled"));
    const args = createArgs("to-pull/").map((arg) => (arg === "/cli-source" ? "/cli-pulled" : arg));
    const created = await s3shift([...args, "--direction", "COPY_FROM_OBJECT"], {
      S3SHIFT_SECRET_ACCESS_KEY: S3RVER_SECRET,
    });
    const relationship = JSON.parse(created.stdout);
    expect(created.stderr).toContain(`(s3://${BUCKET}/to-pull/ → /cli-pulled/)`);
    expect(relationship).toMatchObject({
      direction: "COPY_FROM_OBJECT",
      local_directory_path: "/cli-pulled/",
      object_folder: "to-pull/",
    });
    const watched = await s3shift(["replication_get_object_relationship_status", "--id", relationship.id, "--watch"]);
    expect(watched.code).toBe(0);
    expect(JSON.parse(watched.stdout).last_job).toMatchObject({ outcome: "SUCCEEDED", error: "" });
    expect(watched.stderr).toMatch(/^Succeeded: 0 unchanged, 5 downloaded \(45 B\), took /m);
    for (let i = 0; i < 5; i++) {
      expect(fs.readFileSync(path.join(app.fsRoot, "cli-pulled", `d${i % 2}`, `p${i}.txt`), "utf8")).toBe(
        `pulled ${i}\n`,
      );
    }
  });

  it("exits 2 with the API's message on invalid input, and refuses to prompt without a terminal", async () => {
    const bad = await s3shift([
      ...createArgs("x/"),
      "--secret-access-key",
      S3RVER_SECRET,
      "--bucket",
      "no-such-bucket",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('s3shift: bucket: bucket "no-such-bucket" does not exist at this object store.\n');
    const noSecret = await s3shift(createArgs("y/"));
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toBe(
      "s3shift: the secret access key is needed and no terminal is attached to ask for it. In a script, set " +
        "S3SHIFT_SECRET_ACCESS_KEY in the environment (for instance from a file only you can read); " +
        "on the command line it would be visible to every user of this machine.\n",
    );
  });

  it("says how to sign in from a script when there is no terminal to ask for the password, with exit code 2", async () => {
    const home = makeTempDir("s3shift-cli-script-");
    const run = await s3shift(["login", "--username", "admin"], { XDG_CONFIG_HOME: home });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "s3shift: the password is needed and no terminal is attached to ask for it. In a script, pipe it in: " +
        `printf '%s\\n' "$PASSWORD" | s3shift login --username admin --password-stdin (or set S3SHIFT_PASSWORD); ` +
        "on the command line it would be visible to every user of this machine.\n",
    );
    expect(fs.existsSync(path.join(home, "s3shift/token.json"))).toBe(false);

    const empty = await s3shift(["login", "--username", "admin", "--password-stdin"], { XDG_CONFIG_HOME: home }, "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("s3shift: --password-stdin was given but standard input held no password.\n");

    const piped = await s3shift(
      ["login", "--username", "admin", "--password-stdin"],
      { XDG_CONFIG_HOME: home },
      `${ADMIN_PASSWORD}\n`,
    );
    expect(piped.stderr).toBe(`signed in to ${app.url} as admin\n`);
    expect(piped.code).toBe(0);
    expect(fs.existsSync(path.join(home, "s3shift/token.json"))).toBe(true);
  });

  it("says that a store given as https:// speaks plain HTTP, on the address, with exit code 2", async () => {
    const args = createArgs("plain/").map((arg) => (arg === "http://127.0.0.1" ? "https://127.0.0.1" : arg));
    const run = await s3shift(args, { S3SHIFT_SECRET_ACCESS_KEY: S3RVER_SECRET });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `s3shift: object_store_address: 127.0.0.1:${s3.port} answers in plain HTTP; write http://127.0.0.1 in Object store address (and allow plain HTTP if it is not on this host).\n`,
    );
  });

  it("answers hostile arguments with a message and an exit code, never a stack trace (20 generated runs)", async () => {
    const hostile = fc.string({
      unit: fc.constantFrom("a", "-", "/", ".", " ", "%", "\\", "é", "\u0001", "'", '"', "$", "*", "\u202e"),
      maxLength: 20,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "replication_get_object_relationship",
          "replication_start_object_relationship",
          "replication_delete_object_relationship",
        ),
        hostile,
        async (command, id) => {
          const run = await s3shift([command, "--id", id]);
          expect(run.code).toBe(2);
          expect(run.stderr).toMatch(
            /^error: option '--id <id>' argument '.*' is invalid\. a relationship id is a UUID/s,
          );
          expect(run.stderr).not.toMatch(/\n\s+at /);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("changes a relationship's credentials with the secret from the environment, and says nothing was given otherwise", async () => {
    expect((await s3shift(["login", "--username", "admin"], { S3SHIFT_PASSWORD: ADMIN_PASSWORD })).code).toBe(0);
    const created = await s3shift(createArgs("rotated/"), { S3SHIFT_SECRET_ACCESS_KEY: S3RVER_SECRET });
    const id = JSON.parse(created.stdout).id as string;

    const nothing = await s3shift(["replication_modify_object_relationship", "--id", id]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toBe(
      "s3shift: give --access-key-id (with its secret) or --secret-access-key: nothing else can change yet.\n",
    );

    const noSecret = await s3shift([
      "replication_modify_object_relationship",
      "--id",
      id,
      "--access-key-id",
      S3RVER_KEY,
    ]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain("the new secret access key is needed and no terminal is attached to ask for it");

    const changed = await s3shift(
      ["replication_modify_object_relationship", "--id", id, "--access-key-id", S3RVER_KEY, "--secret-access-key"],
      { S3SHIFT_SECRET_ACCESS_KEY: S3RVER_SECRET },
    );
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ id, access_key_id: S3RVER_KEY });
    expect(changed.stderr).toBe(`changed the credentials of relationship ${id}; the next job uses them\n`);
  });

  it("exits 3 when an observer tries to change something", async () => {
    const observerHome = makeTempDir("s3shift-cli-observer-");
    const env = { XDG_CONFIG_HOME: observerHome };
    expect((await s3shift(["login", "--username", OBSERVER.username, "--password", OBSERVER.password], env)).code).toBe(
      0,
    );
    const refused = await s3shift([...createArgs("z/"), "--secret-access-key", S3RVER_SECRET], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe(
      "s3shift: This action needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.\n",
    );
  });
});
