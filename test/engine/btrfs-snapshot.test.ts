import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNAPSHOT_HOLDER } from "@/lib/engine/snapshot";
import { mountBtrfs, type BtrfsMount } from "../support/btrfs";
import { makeTempDir, readObject, runCopyJob, runDownloadJob } from "../support/engine-harness";
import { inspectionClient, startS3Server, type S3TestServer } from "../support/s3-server";

const BUCKET = "snapshot-bucket";
const mount = mountBtrfs();
const available = "mountPoint" in mount;
let server: S3TestServer;

beforeAll(async () => {
  if (!available) console.warn(`btrfs snapshot tests skipped: ${(mount as { unavailable: string }).unavailable}`);
  server = await startS3Server([BUCKET]);
});

afterAll(async () => {
  await server?.stop();
  if (available) (mount as BtrfsMount).unmount();
});

describe.skipIf(!available)("copy to S3 from a btrfs snapshot", () => {
  it("reads a read-only snapshot named replication_to_bucket_<bucket>, sees the tree as it was, and removes the snapshot", async () => {
    const root = (mount as BtrfsMount).mountPoint;
    execFileSync("btrfs", ["subvolume", "create", path.join(root, "vol")], { stdio: "pipe" });
    const project = path.join(root, "vol/project");
    fs.mkdirSync(path.join(project, "docs"), { recursive: true });
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(project, "docs", `doc${i}.txt`), `original ${i}`);
    const changing = path.join(project, "docs/doc0.txt");
    let snapshotSeen = "";
    let snapshotListed: string[] = [];

    const result = await runCopyJob({
      endpoint: server.endpoint,
      bucket: BUCKET,
      directory: project,
      folder: "snap/",
      trackingFile: path.join(makeTempDir(), "tracking.db"),
      onEvent: (event) => {
        if (event.type !== "mode") return;
        snapshotSeen = event.detail;
        snapshotListed = fs.readdirSync(path.join(root, "vol", SNAPSHOT_HOLDER), { recursive: true }) as string[];
        // Changes after the snapshot must not reach this job.
        fs.writeFileSync(changing, "changed after the snapshot");
        fs.writeFileSync(path.join(project, "docs/late.txt"), "created after the snapshot");
      },
    });

    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.readMode).toBe("snapshot");
    expect(snapshotSeen).toMatch(/^read-only btrfs snapshot .*\/replication_to_bucket_snapshot-bucket$/);
    expect(snapshotListed.some((entry) => entry.endsWith(`replication_to_bucket_${BUCKET}`))).toBe(true);
    const s3 = inspectionClient(server.endpoint);
    expect((await readObject(s3, BUCKET, "snap/docs/doc0.txt")).body.toString()).toBe("original 0");
    await expect(readObject(s3, BUCKET, "snap/docs/late.txt")).rejects.toThrow();
    expect(result.progress.filesTransferred).toBe(50n);
    // The snapshot is gone, whatever the outcome.
    expect(fs.existsSync(path.join(root, "vol", SNAPSHOT_HOLDER))).toBe(false);
    const subvolumes = execFileSync("btrfs", ["subvolume", "list", root], { encoding: "utf8" });
    expect(subvolumes).not.toContain("replication_to_bucket_");
  });

  it("removes the snapshot when the job is stopped", async () => {
    const root = (mount as BtrfsMount).mountPoint;
    execFileSync("btrfs", ["subvolume", "create", path.join(root, "vol2")], { stdio: "pipe" });
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(root, "vol2", `f${i}`), `x${i}`);
    const controller = new AbortController();
    const result = await runCopyJob({
      endpoint: server.endpoint,
      bucket: BUCKET,
      directory: path.join(root, "vol2"),
      folder: "snap-stop/",
      trackingFile: path.join(makeTempDir(), "tracking.db"),
      signal: controller.signal,
      onEvent: (event) => event.type === "mode" && controller.abort(),
    });
    expect(result.outcome).toBe("ABORTED");
    expect(result.readMode).toBe("snapshot");
    expect(fs.existsSync(path.join(root, "vol2", SNAPSHOT_HOLDER))).toBe(false);
    expect(execFileSync("btrfs", ["subvolume", "list", root], { encoding: "utf8" })).not.toContain(
      "replication_to_bucket_",
    );
  });

  it("refuses a snapshot holder that is a symbolic link, and reads the live tree instead, writing nothing through the link", async () => {
    const root = (mount as BtrfsMount).mountPoint;
    execFileSync("btrfs", ["subvolume", "create", path.join(root, "vol3")], { stdio: "pipe" });
    fs.mkdirSync(path.join(root, "vol3/project"));
    fs.writeFileSync(path.join(root, "vol3/project/a.txt"), "a");
    fs.mkdirSync(path.join(root, "vol3/elsewhere"));
    fs.symlinkSync(path.join(root, "vol3/elsewhere"), path.join(root, "vol3", SNAPSHOT_HOLDER));

    const result = await runCopyJob({
      endpoint: server.endpoint,
      bucket: BUCKET,
      directory: path.join(root, "vol3/project"),
      folder: "snap-link/",
      trackingFile: path.join(makeTempDir(), "tracking.db"),
    });

    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.readMode).toBe("stable-read");
    const mode = result.events.find((e) => e.type === "mode");
    expect(mode).toMatchObject({ type: "mode", mode: "stable-read" });
    expect((mode as { detail: string }).detail).toBe(
      `btrfs snapshot failed: ${SNAPSHOT_HOLDER} in the subvolume is not a directory (a symbolic link is never followed)`,
    );
    expect(fs.readdirSync(path.join(root, "vol3/elsewhere"))).toEqual([]);
    expect(fs.lstatSync(path.join(root, "vol3", SNAPSHOT_HOLDER)).isSymbolicLink()).toBe(true);
    expect(execFileSync("btrfs", ["subvolume", "list", root], { encoding: "utf8" })).not.toContain(
      "replication_to_bucket_",
    );
  });

  it("tells a subvolume root from another one swapped into its place, although both are inode 256, in both directions", async () => {
    const root = (mount as BtrfsMount).mountPoint;
    fs.mkdirSync(path.join(root, "projects"));
    for (const name of ["alpha", "beta"]) {
      execFileSync("btrfs", ["subvolume", "create", path.join(root, "projects", name)], { stdio: "pipe" });
      fs.writeFileSync(path.join(root, "projects", name, "secret.txt"), `${name.toUpperCase()}-ONLY`);
      // Birth times come from the kernel's clock tick: two made within one tick cannot be told apart.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const alpha = path.join(root, "projects/alpha");
    const { ino, birthtimeNs } = fs.statSync(alpha, { bigint: true });
    expect(ino).toBe(256n);
    // Someone who may write in projects/ swaps the two names.
    fs.renameSync(alpha, path.join(root, "projects/tmp"));
    fs.renameSync(path.join(root, "projects/beta"), alpha);
    fs.renameSync(path.join(root, "projects/tmp"), path.join(root, "projects/beta"));
    const refusal =
      /^The local directory .* was replaced: it has the relationship's inode 256, but was created at \S+, not at \S+ \(the root of every btrfs subvolume is inode 256\)\. Nothing was read or written/;

    const push = runCopyJob({
      endpoint: server.endpoint,
      bucket: BUCKET,
      directory: alpha,
      directoryIno: ino,
      directoryBirthNs: birthtimeNs,
      folder: "swapped-subvolume/",
      trackingFile: path.join(makeTempDir(), "t.db"),
    });
    await expect(push).rejects.toThrow(refusal);
    await expect(
      readObject(inspectionClient(server.endpoint), BUCKET, "swapped-subvolume/secret.txt"),
    ).rejects.toThrow();

    const pull = runDownloadJob({
      endpoint: server.endpoint,
      bucket: BUCKET,
      directory: alpha,
      directoryIno: ino,
      directoryBirthNs: birthtimeNs,
      folder: "snap/",
      trackingFile: path.join(makeTempDir(), "t.db"),
    });
    await expect(pull).rejects.toThrow(refusal);
    expect(fs.readdirSync(alpha)).toEqual(["secret.txt"]);
    expect(fs.readFileSync(path.join(alpha, "secret.txt"), "utf8")).toBe("BETA-ONLY");
  });

  it("does not use a snapshot holder that another user owns or may write to", async () => {
    const root = (mount as BtrfsMount).mountPoint;
    execFileSync("btrfs", ["subvolume", "create", path.join(root, "vol4")], { stdio: "pipe" });
    fs.writeFileSync(path.join(root, "vol4/a.txt"), "a");
    fs.mkdirSync(path.join(root, "vol4", SNAPSHOT_HOLDER));
    fs.chownSync(path.join(root, "vol4", SNAPSHOT_HOLDER), 65534, 65534);

    const result = await runCopyJob({
      endpoint: server.endpoint,
      bucket: BUCKET,
      directory: path.join(root, "vol4"),
      folder: "snap-owned/",
      trackingFile: path.join(makeTempDir(), "tracking.db"),
    });

    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.readMode).toBe("stable-read");
    const mode = result.events.find((e) => e.type === "mode") as { detail: string };
    expect(mode.detail).toBe(
      `btrfs snapshot failed: ${SNAPSHOT_HOLDER} in the subvolume belongs to another user or can be written by others; it is not used`,
    );
    expect(fs.readdirSync(path.join(root, "vol4", SNAPSHOT_HOLDER))).toEqual([]);
  });
});
