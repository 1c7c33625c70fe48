// The relationship's directory replaced between jobs, seen through the API as a user would:
// the next job fails before reading or writing anything, and says why.
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";
import { inspectionClient } from "../support/s3-server";
import { manifest } from "../support/swapper";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "replaced-bucket";
const lab = useAppWithStore(BUCKET);

async function createAndFinish(direction: string, dir: string, folder: string): Promise<string> {
  const created = await lab.app.call("POST", `${BASE}/`, {
    token: lab.token,
    body: { direction, ...storeFields(lab.proxy.port, BUCKET), local_directory_path: `/${dir}`, object_folder: folder },
  });
  expect(created.status).toBe(201);
  expect((await waitForJobEnd(lab.app, lab.token, created.json.id)).last_job.error).toBe("");
  return created.json.id;
}

async function repeatAndFail(id: string): Promise<string> {
  expect((await lab.app.call("POST", `${BASE}/${id}/replicate`, { token: lab.token })).status).toBe(200);
  return (await waitForJobEnd(lab.app, lab.token, id)).last_job.error;
}

describe("a relationship whose directory was replaced since it was created", () => {
  it("copying to S3, fails the next job naming the inodes, and sends nothing", async () => {
    const dir = path.join(lab.app.fsRoot, "push-replaced");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "a.txt"), "first\n");
    const id = await createAndFinish("COPY_TO_OBJECT", "push-replaced", "push-replaced/");
    const ino = fs.statSync(dir).ino;
    fs.renameSync(dir, `${dir}.old`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "b.txt"), "planted\n");
    lab.proxy.reset();

    const error = await repeatAndFail(id);

    expect(error).toMatch(
      new RegExp(
        `^The local directory "/push-replaced/" was replaced: it is now inode \\d+, and the relationship was made for inode ${ino} \\(local_directory_id\\)\\. Nothing was read or written; create a new relationship if the new directory is the one to copy\\.$`,
      ),
    );
    expect(lab.proxy.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("copying from S3, fails the next job when the directory became a link to another relationship's directory, and writes nothing there", async () => {
    const theirs = path.join(lab.app.fsRoot, "theirs");
    fs.mkdirSync(theirs);
    fs.writeFileSync(path.join(theirs, "a.txt"), "theirs\n");
    const dir = path.join(lab.app.fsRoot, "pull-replaced");
    fs.mkdirSync(dir);
    await inspectionClient(lab.s3.endpoint).send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "pull-src/a.txt", Body: "from the bucket\n" }),
    );
    const id = await createAndFinish("COPY_FROM_OBJECT", "pull-replaced", "pull-src/");
    expect(fs.readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("from the bucket\n");
    await inspectionClient(lab.s3.endpoint).send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "pull-src/a.txt", Body: "changed in the bucket\n" }),
    );
    fs.renameSync(dir, `${dir}.old`);
    fs.symlinkSync(theirs, dir);
    const before = manifest(theirs);

    const error = await repeatAndFail(id);

    expect(error).toBe(
      'The local directory "/pull-replaced/" was replaced: "pull-replaced" on its path is now a symbolic link; not followed. Nothing was read or written.',
    );
    expect(manifest(theirs)).toEqual(before);
  });
});
