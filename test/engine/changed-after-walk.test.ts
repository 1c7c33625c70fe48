// Files changed between the moment a job looked at them and the moment it reads them: the
// bucket's listing is held back by the proxy, so the walk (or the pull's look at the target) has
// certainly happened before the change, and the read certainly after it.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import type { EngineEvent } from "@/lib/engine/events";
import { useProxiedS3 } from "../support/proxied-s3";
import { isListing } from "../support/listing-xml";
import { isPartUpload } from "../support/s3-proxy";
import { makeTempDir, readObject, runCopyJob, runDownloadJob, sha256Hex, writeFile } from "../support/engine-harness";

const BUCKET = "changed-bucket";
const lab = useProxiedS3(BUCKET);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Holds the first listing for `holdMs`, and runs `change` `afterMs` after it arrived. */
function changeWhileListing(change: () => void, holdMs = 800, afterMs = 300) {
  let done = false;
  lab.proxy.interceptor = (r) => {
    if (done || r.method !== "GET" || !isListing(r.query)) return undefined;
    done = true;
    setTimeout(change, afterMs);
    return { delayMs: holdMs };
  };
}

/**
 * Puts a FIFO where `file` was. A writer opens it after a while, only so that a job that did block
 * on it (as one did before) ends instead of holding the test run for ever.
 */
function swapForFifo(file: string) {
  fs.rmSync(file);
  execFileSync("mkfifo", [file]);
  const writer = spawn(
    process.execPath,
    [
      "-e",
      `setTimeout(() => { for (let i = 0; i < 20; i++) try { require("fs").closeSync(require("fs").openSync(${JSON.stringify(file)}, "w")); } catch {} }, 15000)`,
    ],
    { stdio: "ignore" },
  );
  children.push(writer);
}

const failures = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === "file-failed" ? [`${e.path}: ${e.message}`] : []));

describe("a file swapped for a FIFO after the walk", () => {
  it.each([
    ["a small file, read synchronously", 5],
    ["a file over 256 KiB, read on the thread pool", 300 * 1024],
  ])("%s is a per-file error naming it, and the job does not wait for a writer", async (_, size) => {
    const rel = makeTempDir("s3shift-fifo-");
    const file = writeFile(rel, "swapped.bin", Buffer.alloc(size, 1));
    writeFile(rel, "other.txt", "stays\n");
    changeWhileListing(() => swapForFifo(file));

    const result = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: rel,
      folder: `fifo-${size}/`,
      trackingFile: path.join(makeTempDir(), "t.db"),
    });

    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(failures(result.events)).toEqual([
      'swapped.bin: "swapped.bin" changed into a FIFO during the job; not read',
    ]);
    expect((await readObject(lab.s3, BUCKET, `fifo-${size}/other.txt`)).body.toString()).toBe("stays\n");
  });
});

describe("a file that grew after the walk", () => {
  it("is sent in parts when it outgrew a small file, never held whole in memory", async () => {
    const rel = makeTempDir("s3shift-grown-");
    const file = writeFile(rel, "grows.bin", Buffer.alloc(300 * 1024, 7));
    const GROWN = 40 * 1024 * 1024;
    changeWhileListing(() => {
      const fd = fs.openSync(file, "r+");
      fs.writeSync(fd, crypto.randomBytes(1024 * 1024), 0, 1024 * 1024, GROWN - 1024 * 1024);
      fs.closeSync(fd);
    });

    const result = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: rel,
      folder: "grown/",
      trackingFile: path.join(makeTempDir(), "t.db"),
      multipartThreshold: 16 * 1024 * 1024,
    });

    expect(result.outcome).toBe("SUCCEEDED");
    const singlePuts = lab.proxy.requests.filter((r) => r.method === "PUT" && !r.query.has("uploadId"));
    expect(singlePuts.map((r) => r.bodyBytes).filter((bytes) => bytes > 16 * 1024 * 1024)).toEqual([]);
    expect(lab.proxy.requests.filter(isPartUpload).length).toBeGreaterThan(1);
    const object = await readObject(lab.s3, BUCKET, "grown/grows.bin");
    expect(object.body.length).toBe(GROWN);
    expect(sha256Hex(object.body)).toBe(sha256Hex(fs.readFileSync(file)));
  });
});

describe("a local file replaced while a pull proves it holds the object", () => {
  it("is not taken for the object: the object is placed, and stays placed", async () => {
    const SIZE = 64 * 1024 * 1024;
    const rel = makeTempDir("s3shift-keep-");
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "keep/big.bin", Body: Buffer.alloc(SIZE) }));
    const target = path.join(rel, "big.bin");
    fs.writeFileSync(target, "");
    fs.truncateSync(target, SIZE); // the object's content, untracked: the job hashes it to adopt it
    const trackingFile = path.join(makeTempDir(), "t.db");
    // While the job hashes it, another file of the same size and other content takes its place.
    changeWhileListing(
      () => {
        fs.renameSync(target, path.join(rel, "aside.bin"));
        fs.writeFileSync(target, "NOT THE OBJECT");
        fs.truncateSync(target, SIZE);
      },
      0,
      120,
    );

    const first = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: rel,
      folder: "keep/",
      trackingFile,
    });
    lab.proxy.interceptor = undefined;
    const second = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: rel,
      folder: "keep/",
      trackingFile,
    });

    expect([first.outcome, second.outcome]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const content = fs.readFileSync(target);
    expect(content.length).toBe(SIZE);
    expect(content.subarray(0, 14).toString()).not.toBe("NOT THE OBJECT");
    expect(sha256Hex(content)).toBe(sha256Hex(Buffer.alloc(SIZE)));
  });
});

describe("what a killed pull left, swept by the next job", () => {
  it("removes only this service's own temporary files, keeps whatever else has their name, and does not fail the job", async () => {
    const base = makeTempDir("s3shift-sweep-");
    const rel = path.join(base, "rel");
    fs.mkdirSync(path.join(rel, "sub"), { recursive: true });
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sweep/sub/a.txt", Body: "A" }));
    const trackingFile = path.join(base, "t.db");
    // A killed job's journal names "sub"; beside its leftover, a directory and a user's file of such names.
    fs.writeFileSync(trackingFile.replace(/\.db$/, "") + ".partials", "/sub\n");
    fs.writeFileSync(path.join(rel, "sub", ".s3shift-aaaaaa-1.partial"), "left by the killed job");
    fs.mkdirSync(path.join(rel, "sub", ".s3shift-0a1b2c-1.partial"));
    fs.writeFileSync(path.join(rel, "sub", ".s3shift-0a1b2c-2.partial"), "a user's own file");
    fs.chownSync(path.join(rel, "sub", ".s3shift-0a1b2c-2.partial"), 65534, 65534);

    const result = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: rel,
      folder: "sweep/",
      trackingFile,
    });

    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.events).toContainEqual({ type: "leftovers-removed", count: 1 });
    expect(fs.readdirSync(path.join(rel, "sub")).sort()).toEqual([
      ".s3shift-0a1b2c-1.partial",
      ".s3shift-0a1b2c-2.partial",
      "a.txt",
    ]);
  });
});

describe("an object whose key looks like a temporary file", () => {
  it("is placed, and a later sweep of its directory leaves it: only the noted jobs' own names are removed", async () => {
    const base = makeTempDir("s3shift-lookalike-");
    const rel = path.join(base, "rel");
    const journal = path.join(base, "t.partials");
    const trackingFile = path.join(base, "t.db");
    const lookalike = ".s3shift-abcdef-1.partial";
    fs.mkdirSync(rel);
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `alike/sub/${lookalike}`, Body: "an object" }));
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "alike/sub/a.txt", Body: "A" }));
    const pull = () =>
      runDownloadJob({ endpoint: lab.proxy.endpoint, bucket: BUCKET, directory: rel, folder: "alike/", trackingFile });

    const first = await pull();
    expect(first.outcome).toBe("SUCCEEDED");
    expect(first.progress.filesTransferred).toBe(2n);
    // A later job of the relationship was killed with a temporary file of its own in "sub".
    fs.writeFileSync(journal, '{"d":"sub","p":"aaaaaa"}\n');
    fs.writeFileSync(path.join(rel, "sub", ".s3shift-aaaaaa-4.partial"), "left by the killed job");

    const second = await pull();
    expect(second.outcome).toBe("SUCCEEDED");
    expect(second.events).toContainEqual({ type: "leftovers-removed", count: 1 });
    expect(fs.readdirSync(path.join(rel, "sub")).sort()).toEqual([lookalike, "a.txt"]);
    expect(fs.readFileSync(path.join(rel, "sub", lookalike), "utf8")).toBe("an object");
    expect(second.progress.filesTransferred).toBe(0n);
    expect(second.progress.filesUnchanged).toBe(2n);
    expect(fs.existsSync(journal)).toBe(false);
  });
});

describe("a tree deeper than any key", () => {
  it("is not descended past the length a key can have: one error for the directory, and no handle held per level below it", async () => {
    const rel = makeTempDir("s3shift-deep-");
    const O_DIR = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY;
    let fd = fs.openSync(rel, O_DIR);
    for (let i = 0; i < 1500; i++) {
      fs.mkdirSync(`/proc/self/fd/${fd}/d`);
      const next = fs.openSync(`/proc/self/fd/${fd}/d`, O_DIR);
      fs.closeSync(fd);
      fd = next;
    }
    fs.writeFileSync(`/proc/self/fd/${fd}/leaf.txt`, "leaf");
    fs.closeSync(fd);
    writeFile(rel, "top.txt", "top\n");
    let deepest = 0;
    const timer = setInterval(() => (deepest = Math.max(deepest, fs.readdirSync("/proc/self/fd").length)), 2);
    const before = fs.readdirSync("/proc/self/fd").length;

    const result = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: rel,
      folder: "deep/",
      trackingFile: path.join(makeTempDir(), "t.db"),
    });
    clearInterval(timer);

    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    const errors = failures(result.events);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^(d\/){509}d\/: the directory's path is 1020 bytes long, so no key below it could be shorter than 1024 bytes; nothing in it is copied$/,
    );
    expect((await readObject(lab.s3, BUCKET, "deep/top.txt")).body.toString()).toBe("top\n");
    // About 510 levels at most, not 1,500 (the job's own sockets and files come on top).
    expect(deepest - before).toBeLessThan(700);
  });
});
