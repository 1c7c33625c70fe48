import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { ContentChangedError } from "@/lib/s3/multipart-upload";
import { uploadWithSwappedPart } from "../support/multipart-checks";
import { rangeListingStarts, wholeListingStarts } from "../support/listing-xml";
import { useProxiedS3 } from "../support/proxied-s3";
import { isPartUpload, isPayloadProbe } from "../support/s3-proxy";
import {
  headObject,
  listKeys,
  makeTempDir,
  readObject,
  runCopyJob,
  sha256Hex,
  writeFile,
} from "../support/engine-harness";

const BUCKET = "engine-bucket";
let folderSeq = 0;

const lab = useProxiedS3(BUCKET);

/** Each scenario copies into its own folder with its own tracking file. */
function scenario() {
  const directory = makeTempDir();
  const folder = `case-${++folderSeq}/`;
  const trackingFile = path.join(makeTempDir(), "tracking.db");
  const run = (extra: Partial<Parameters<typeof runCopyJob>[0]> = {}) =>
    runCopyJob({ endpoint: lab.proxy.endpoint, bucket: BUCKET, directory, trackingFile, folder, ...extra });
  return { directory, folder, trackingFile, run };
}

const puts = () => lab.proxy.count((r) => r.method === "PUT" && !r.query.has("uploadId"));
const copies = (requests = lab.proxy.requests) =>
  requests.filter((r) => r.method === "PUT" && r.bodyBytes === 0).length;

describe("copy to S3: the mapping table", () => {
  it("uploads regular files at folder + relative path with bytes, sha256 metadata and Content-Type", async () => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "readme.txt", "hello world\n");
    writeFile(directory, "docs/guide.html", "<h1>guide</h1>");
    writeFile(directory, "data/raw.unknownext", Buffer.from([0, 1, 2, 3, 255]));
    writeFile(directory, "ünïcödé/файл.json", '{"a":1}');
    fs.mkdirSync(path.join(directory, "empty/nested"), { recursive: true });

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.readMode).toBe("stable-read");
    expect((await listKeys(lab.s3, BUCKET, folder)).sort()).toEqual(
      [
        `${folder}data/raw.unknownext`,
        `${folder}docs/guide.html`,
        `${folder}readme.txt`,
        `${folder}ünïcödé/файл.json`,
      ].sort(),
    );
    const readme = await readObject(lab.s3, BUCKET, `${folder}readme.txt`);
    expect(readme.body.toString()).toBe("hello world\n");
    expect(readme.metadata.sha256).toBe(sha256Hex("hello world\n"));
    expect(readme.contentType).toBe("text/plain");
    expect((await readObject(lab.s3, BUCKET, `${folder}docs/guide.html`)).contentType).toBe("text/html");
    const raw = await readObject(lab.s3, BUCKET, `${folder}data/raw.unknownext`);
    expect(raw.contentType).toBe("application/octet-stream");
    expect([...raw.body]).toEqual([0, 1, 2, 3, 255]);
    expect((await readObject(lab.s3, BUCKET, `${folder}ünïcödé/файл.json`)).body.toString()).toBe('{"a":1}');
    expect(result.progress.filesTransferred).toBe(4n);
    expect(result.progress.filesTotal).toBe(4n);
    expect(result.progress.totalsKnown).toBe(true);
  });

  it("announces exact totals once, from its own walk, before the first byte is sent", async () => {
    const { directory, run } = scenario();
    for (let i = 0; i < 40; i++) writeFile(directory, `d${i % 4}/f${i}.txt`, "x".repeat(i));
    fs.symlinkSync("d0/f0.txt", path.join(directory, "link"));

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    const totals = result.events.filter((e) => e.type === "totals");
    expect(totals).toEqual([{ type: "totals", files: 40n, bytes: BigInt((39 * 40) / 2) }]);
    const order = result.events.map((e) => e.type);
    expect(order.indexOf("totals")).toBeLessThan(order.indexOf("bytes-moved"));
  });

  it("skips symlinks, FIFOs, sockets and hard links to non-regular files, counting each", async () => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "real.txt", "real");
    fs.symlinkSync("real.txt", path.join(directory, "link-to-real"));
    fs.symlinkSync("/etc/passwd", path.join(directory, "escape-link"));
    execFileSync("mkfifo", [path.join(directory, "pipe")]);
    fs.linkSync(path.join(directory, "pipe"), path.join(directory, "pipe-hardlink"));
    const socketPath = path.join(directory, "sock");
    const socketServer = net.createServer().listen(socketPath);
    await new Promise((resolve) => socketServer.once("listening", resolve));

    try {
      const result = await run();
      expect(result.outcome).toBe("SUCCEEDED");
      expect(await listKeys(lab.s3, BUCKET, folder)).toEqual([`${folder}real.txt`]);
      expect(result.progress.entriesSkipped).toBe(5n);
      expect(result.progress.skippedByReason).toEqual({ symlink: 2, "hard-link-to-non-regular": 2, socket: 1 });
    } finally {
      socketServer.close();
    }
  });

  it("skips a character device, counted as a device", async ({ skip }) => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "a.txt", "a");
    try {
      execFileSync("mknod", [path.join(directory, "null-device"), "c", "1", "3"]);
    } catch {
      skip("mknod is not permitted here (not root)"); // reported as skipped, not passed
    }
    const result = await run();
    expect(await listKeys(lab.s3, BUCKET, folder)).toEqual([`${folder}a.txt`]);
    expect(result.progress.skippedByReason).toEqual({ device: 1 });
  });

  it("uploads a hard-linked file once and makes each further path a server-side copy", async () => {
    const { directory, folder, run } = scenario();
    const content = Buffer.alloc(300_000, 7);
    const first = writeFile(directory, "a/original.bin", content);
    fs.mkdirSync(path.join(directory, "b"));
    fs.linkSync(first, path.join(directory, "b/second.bin"));
    fs.linkSync(first, path.join(directory, "b/third.txt"));

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    expect(lab.proxy.uploadedBytes()).toBe(content.length);
    expect(copies()).toBe(2);
    expect(lab.proxy.count((r) => r.method === "PUT" && r.bodyBytes > 0)).toBe(1);
    for (const key of ["a/original.bin", "b/second.bin", "b/third.txt"]) {
      const object = await readObject(lab.s3, BUCKET, folder + key);
      expect(object.body.equals(content)).toBe(true);
      expect(object.metadata.sha256).toBe(sha256Hex(content));
    }
    expect((await readObject(lab.s3, BUCKET, `${folder}b/third.txt`)).contentType).toBe("text/plain");
    expect(result.progress.filesTransferred).toBe(1n);
    expect(result.progress.filesCopiedServerSide).toBe(2n);
  });

  it("copies a sparse file with its holes as zeros", async () => {
    const { directory, folder, run } = scenario();
    const file = path.join(directory, "sparse.img");
    const fd = fs.openSync(file, "w");
    fs.writeSync(fd, Buffer.from("start"), 0, 5, 0);
    fs.writeSync(fd, Buffer.from("end"), 0, 3, 3 * 1024 * 1024);
    fs.closeSync(fd);
    const stat = fs.statSync(file);
    expect(stat.blocks * 512).toBeLessThan(stat.size); // it really is sparse here

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    const object = await readObject(lab.s3, BUCKET, `${folder}sparse.img`);
    expect(object.body.equals(fs.readFileSync(file))).toBe(true);
    expect(object.body.subarray(5, 3 * 1024 * 1024).every((b) => b === 0)).toBe(true);
  });
});

describe("copy to S3: limits", () => {
  it("refuses a key of 1,024 bytes as a per-file error while shorter ones copy", async () => {
    const { directory, folder, run } = scenario();
    // folder + name: make one key exactly 1,024 bytes and one 1,023 bytes.
    const dirName = "d".repeat(200);
    const base = `${dirName}/${dirName}/${dirName}/${dirName}/`;
    const tooLong = base + "x".repeat(1024 - folder.length - base.length);
    const justFits = base + "y".repeat(1023 - folder.length - base.length);
    writeFile(directory, tooLong, "too long");
    writeFile(directory, justFits, "fits");
    writeFile(directory, "short.txt", "short");

    const result = await run();

    expect(Buffer.byteLength(folder + tooLong)).toBe(1024);
    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(result.error).toMatch(/^1 file could not be copied: ".*x{10,}"/);
    expect((await listKeys(lab.s3, BUCKET, folder)).sort()).toEqual([folder + justFits, `${folder}short.txt`].sort());
    const failure = result.events.find((e) => e.type === "file-failed");
    expect(failure).toMatchObject({
      message: expect.stringContaining("1024 bytes of UTF-8; S3 keys must be shorter than 1024"),
    });
  });
});

describe("copy to S3: repeats", () => {
  it("sends no data on a repeat with nothing changed and counts every file unchanged", async () => {
    const { directory, run } = scenario();
    for (let i = 0; i < 30; i++) writeFile(directory, `dir${i % 3}/file${i}.txt`, `content ${i}`);
    expect((await run()).outcome).toBe("SUCCEEDED");
    lab.proxy.reset();

    const repeat = await run();

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(lab.proxy.count((r) => r.method === "PUT")).toBe(0);
    expect(lab.proxy.count((r) => r.method === "GET" && r.query.get("list-type") === "2")).toBe(1);
    expect(lab.proxy.requests.length).toBe(1);
    expect(repeat.progress.filesUnchanged).toBe(30n);
    expect(repeat.progress.filesTransferred).toBe(0n);
    expect(repeat.progress.bytesTransferred).toBe(0n);
  });

  it("sends a changed file again, and only that file", async () => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "stay.txt", "stay");
    const changing = writeFile(directory, "change.txt", "before");
    await run();
    lab.proxy.reset();
    fs.writeFileSync(changing, "after, longer");

    const repeat = await run();

    expect(repeat.progress.filesTransferred).toBe(1n);
    expect(repeat.progress.filesUnchanged).toBe(1n);
    expect(puts()).toBe(1);
    expect((await readObject(lab.s3, BUCKET, `${folder}change.txt`)).body.toString()).toBe("after, longer");
  });

  it("re-sends nothing when only the timestamps moved (content proven equal by hash)", async () => {
    const { directory, run } = scenario();
    const file = writeFile(directory, "touched.txt", "same content");
    await run();
    lab.proxy.reset();
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));

    const repeat = await run();

    expect(puts()).toBe(0);
    expect(repeat.progress.filesUnchanged).toBe(1n);
  });

  it("never deletes anything in the bucket", async () => {
    const { directory, folder, run } = scenario();
    const doomed = writeFile(directory, "doomed.txt", "soon gone locally");
    writeFile(directory, "kept.txt", "kept");
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${folder}foreign.txt`, Body: "not ours" }));
    await run();
    fs.rmSync(doomed);

    await run();

    expect(lab.proxy.count((r) => r.method === "DELETE" || r.query.has("delete"))).toBe(0);
    expect((await listKeys(lab.s3, BUCKET, folder)).sort()).toEqual([
      `${folder}doomed.txt`,
      `${folder}foreign.txt`,
      `${folder}kept.txt`,
    ]);
  });

  it("re-uploads an object that was changed or removed in the bucket behind its back", async () => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "victim.txt", "original");
    await run();
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${folder}victim.txt`, Body: "tampered" }));
    lab.proxy.reset();

    const repeat = await run();

    expect(repeat.progress.filesTransferred).toBe(1n);
    expect((await readObject(lab.s3, BUCKET, `${folder}victim.txt`)).body.toString()).toBe("original");
  });

  it("adopts an existing copy by its sha256 metadata without re-uploading, and overwrites a different object", async () => {
    const first = scenario();
    writeFile(first.directory, "same.txt", "identical bytes");
    writeFile(first.directory, "other.txt", "version one");
    await first.run();
    // A new relationship (no tracking rows) over the same folder, with one file now different.
    const directory = makeTempDir();
    writeFile(directory, "same.txt", "identical bytes");
    writeFile(directory, "other.txt", "version two");
    lab.proxy.reset();

    const adopted = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory,
      folder: first.folder,
      trackingFile: path.join(makeTempDir(), "tracking.db"),
    });

    expect(adopted.outcome).toBe("SUCCEEDED");
    expect(adopted.progress.filesUnchanged).toBe(1n);
    expect(adopted.progress.filesTransferred).toBe(1n);
    expect(puts()).toBe(1);
    expect(lab.proxy.count((r) => r.method === "HEAD")).toBe(2);
    expect((await readObject(lab.s3, BUCKET, `${first.folder}other.txt`)).body.toString()).toBe("version two");
  });
});

describe("copy to S3: large files", () => {
  it("uploads a multipart file with parallel parts, readable back byte for byte", async () => {
    const { directory, folder, run } = scenario();
    const content = Buffer.alloc(23 * 1024 * 1024);
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i);
    writeFile(directory, "big/large.bin", content);

    const result = await run({ multipartThreshold: 8 * 1024 * 1024 });

    expect(result.outcome).toBe("SUCCEEDED");
    expect(lab.proxy.count(isPartUpload)).toBe(5);
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploadId"))).toBe(1);
    const object = await readObject(lab.s3, BUCKET, `${folder}big/large.bin`);
    expect(sha256Hex(object.body)).toBe(sha256Hex(content));
    expect(object.metadata.sha256).toBe(sha256Hex(content));
  });

  it("aborts the multipart upload when a part fails for good, leaving no upload behind", async () => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "fails.bin", Buffer.alloc(12 * 1024 * 1024, 1));
    writeFile(directory, "fine.txt", "fine");
    lab.proxy.interceptor = (r) =>
      r.method === "PUT" && r.query.get("partNumber") === "2"
        ? { status: 400, body: "<Error><Code>InvalidPart</Code><Message>rejected by the test</Message></Error>" }
        : undefined;

    const result = await run({ multipartThreshold: 8 * 1024 * 1024 });

    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(result.error).toMatch(/1 file could not be copied: "fails.bin"/);
    const created = lab.proxy.requests.filter((r) => r.method === "POST" && r.query.has("uploads"));
    const aborted = lab.proxy.requests.filter((r) => r.method === "DELETE" && r.query.has("uploadId"));
    expect(created).toHaveLength(1);
    expect(aborted).toHaveLength(1);
    expect(result.events.some((e) => e.type === "multipart-aborted")).toBe(true);
    expect(await listKeys(lab.s3, BUCKET, folder)).toEqual([`${folder}fine.txt`]);
  });
});

describe("copy to S3: stop and failure", () => {
  /** Starts uploading a 30 MiB file in 6 parts of 5 MiB, and stops the job once two parts are confirmed. */
  async function stopMidUpload() {
    const sc = scenario();
    const body = crypto.randomBytes(30 * 1024 * 1024);
    writeFile(sc.directory, "huge.bin", body);
    lab.proxy.interceptor = (r) => (isPartUpload(r) ? { delayMs: 300 } : undefined);
    const controller = new AbortController();
    let partsDone = 0;
    const result = await sc.run({
      multipartThreshold: 8 * 1024 * 1024,
      signal: controller.signal,
      onEvent: (e) => e.type === "bytes-moved" && ++partsDone >= 2 && controller.abort(),
    });
    expect(result.outcome).toBe("ABORTED");
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(1);
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploadId"))).toBe(0); // never completed
    expect(await listKeys(lab.s3, BUCKET, sc.folder)).toEqual([]);
    lab.proxy.interceptor = undefined;
    return { ...sc, body };
  }

  it("keeps the multipart upload of a stopped job, and the next job resumes it, sending only the missing parts", async () => {
    const { folder, run, body } = await stopMidUpload();
    expect(lab.proxy.count((r) => r.method === "DELETE")).toBe(0); // kept, not aborted
    const uploadId = lab.proxy.requests.find(isPartUpload)!.query.get("uploadId");

    lab.proxy.reset();
    const resumed = await run({ multipartThreshold: 8 * 1024 * 1024 });

    expect(resumed.outcome).toBe("SUCCEEDED");
    const reused =
      (resumed.events.find((e) => e.type === "multipart-resumed") as { partsReused: number } | undefined)
        ?.partsReused ?? 0;
    expect(reused).toBeGreaterThanOrEqual(2);
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(0);
    const parts = lab.proxy.requests.filter(isPartUpload);
    expect(parts).toHaveLength(6 - reused);
    expect(parts.every((r) => r.query.get("uploadId") === uploadId)).toBe(true);
    expect(lab.proxy.uploadedBytes()).toBe(body.length - reused * 5 * 1024 * 1024);
    const object = await readObject(lab.s3, BUCKET, `${folder}huge.bin`);
    expect(sha256Hex(object.body)).toBe(sha256Hex(body));
  });

  it("starts afresh when the store no longer knows a kept upload (NoSuchUpload)", async () => {
    const { folder, run, body } = await stopMidUpload();
    const kept = lab.proxy.requests.find(isPartUpload)!.query.get("uploadId");
    lab.proxy.reset();
    // As after a lifecycle rule aborted it: the kept upload id is refused.
    lab.proxy.interceptor = (r) =>
      r.query.get("uploadId") === kept
        ? {
            status: 404,
            body: "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>",
          }
        : undefined;
    const result = await run({ multipartThreshold: 8 * 1024 * 1024 });
    expect(result.error).toBe("");
    expect(result.outcome).toBe("SUCCEEDED");
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(1);
    expect(result.events.find((e) => e.type === "multipart-resumed")).toBeUndefined();
    expect(sha256Hex((await readObject(lab.s3, BUCKET, `${folder}huge.bin`)).body)).toBe(sha256Hex(body));
  });

  it("aborts a kept upload when the file has changed since, and sends the new content afresh", async () => {
    const { directory, folder, run } = await stopMidUpload();
    const changed = crypto.randomBytes(30 * 1024 * 1024);
    writeFile(directory, "huge.bin", changed);
    lab.proxy.reset();
    const result = await run({ multipartThreshold: 8 * 1024 * 1024 });
    expect(result.outcome).toBe("SUCCEEDED");
    expect(lab.proxy.count((r) => r.method === "DELETE" && r.query.has("uploadId"))).toBe(1);
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(1);
    // (s3rver has no AbortMultipartUpload, so the reason also says that the abort itself failed.)
    expect(result.events).toContainEqual(
      expect.objectContaining({
        type: "multipart-aborted",
        reason: expect.stringMatching(/^the file changed since an earlier job began uploading it/),
      }),
    );
    expect(sha256Hex((await readObject(lab.s3, BUCKET, `${folder}huge.bin`)).body)).toBe(sha256Hex(changed));
  });

  it("stops a long job within two seconds and keeps what was copied tracked", async () => {
    const { directory, trackingFile, run } = scenario();
    for (let i = 0; i < 400; i++) writeFile(directory, `many/f${String(i).padStart(4, "0")}.txt`, `file ${i}`);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 40 } : undefined); // a slow store
    const controller = new AbortController();
    let stoppedAt = 0;
    const job = run({
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "file-transferred" && !stoppedAt) {
          stoppedAt = Date.now();
          controller.abort();
        }
      },
    });

    const result = await job;

    expect(result.outcome).toBe("ABORTED");
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lab.proxy.requests.filter((r) => r.arrivedAt > stoppedAt + 100)).toEqual([]);
    const tracked = new TrackingStore(trackingFile);
    expect(tracked.count()).toBe(Number(result.progress.filesTransferred));
    expect(tracked.count()).toBeLessThan(400);
    tracked.close();
  });

  it("fails with a readable message when the store is down, and a repeat completes without re-sending", async () => {
    const { directory, folder, run } = scenario();
    for (let i = 0; i < 20; i++) writeFile(directory, `f${i}.txt`, `data ${i}`);
    let accepted = 0;
    lab.proxy.interceptor = (r) => (r.method === "PUT" && ++accepted > 10 ? "reset" : undefined);

    const failed = await run({ maxAttempts: 2 });

    expect(failed.outcome).toBe("FAILED");
    expect(failed.error).toMatch(/^The store is unreachable after retries \(ECONNRESET\)\.$/);
    const landed = await listKeys(lab.s3, BUCKET, folder);
    expect(landed.length).toBeGreaterThan(0);
    lab.proxy.interceptor = undefined;
    lab.proxy.reset();

    const repeat = await run();

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(await listKeys(lab.s3, BUCKET, folder)).toHaveLength(20);
    expect(puts()).toBe(20 - landed.length);
    expect(repeat.progress.filesUnchanged).toBe(BigInt(landed.length));
  });
});

describe("copy to S3: the store refuses a PUT", () => {
  const answer = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

  it.each([
    [
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match.",
      "The store rejected the credentials (SignatureDoesNotMatch).",
    ],
    [403, "AccessDenied", "Access Denied", "Access denied by the store (AccessDenied: Access Denied)."],
    [404, "NoSuchBucket", "The specified bucket does not exist", "The bucket does not exist (NoSuchBucket)."],
  ])("HTTP %i %s ends the job with a message that says so", async (status, code, message, expected) => {
    const { directory, run } = scenario();
    for (let i = 0; i < 5; i++) writeFile(directory, `f${i}.txt`, `data ${i}`);
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { status, body: answer(code, message) } : undefined);
    const result = await run();
    expect(result.outcome).toBe("FAILED");
    expect(result.error).toBe(expected);
  });

  it("a refusal of one object only (InvalidArgument) is that file's error, and the others copy", async () => {
    const { directory, folder, run } = scenario();
    for (let i = 0; i < 5; i++) writeFile(directory, `f${i}.txt`, `data ${i}`);
    lab.proxy.interceptor = (r) =>
      r.method === "PUT" && r.path.endsWith("/f3.txt")
        ? { status: 400, body: answer("InvalidArgument", "Invalid argument.") }
        : undefined;
    const result = await run();
    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(result.error).toBe('1 file could not be copied: "f3.txt" (see the job\'s file errors).');
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: "file-failed", path: "f3.txt", message: "InvalidArgument: Invalid argument." }),
    );
    expect((await listKeys(lab.s3, BUCKET, folder)).sort()).toEqual([0, 1, 2, 4].map((i) => `${folder}f${i}.txt`));
  });
});

describe("copy to S3: transient errors", () => {
  it("retries 503 SlowDown and connection resets with backoff, losing no file", async () => {
    const { directory, folder, run } = scenario();
    for (let i = 0; i < 12; i++) writeFile(directory, `t${i}.txt`, `transient ${i}`);
    const seen = new Map<string, number>();
    lab.proxy.interceptor = (r) => {
      if (r.method !== "PUT") return undefined;
      const attempt = (seen.get(r.path) ?? 0) + 1;
      seen.set(r.path, attempt);
      if (attempt > 1) return undefined;
      return r.path.endsWith("0.txt") || r.path.endsWith("5.txt")
        ? "reset"
        : {
            status: 503,
            body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
          };
    };

    const result = await run({ maxAttempts: 4 });

    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.events.filter((e) => e.type === "retry")).toHaveLength(12);
    for (let i = 0; i < 12; i++)
      expect((await readObject(lab.s3, BUCKET, `${folder}t${i}.txt`)).body.toString()).toBe(`transient ${i}`);
  });
});

describe("copy to S3: stable reads", () => {
  it("reads again a file that changes while it is read, and uploads one consistent version", async () => {
    const { directory, folder, run } = scenario();
    const file = writeFile(directory, "moving.log", "v0".repeat(1000));
    let rewrites = 0;
    const result = await run({
      onEvent: (e) => {
        if (e.type === "mode" && rewrites === 0) {
          // Change the file right as the job starts reading, twice.
          const timer = setInterval(() => {
            fs.writeFileSync(file, `v${++rewrites}`.repeat(1000));
            if (rewrites >= 2) clearInterval(timer);
          }, 1);
        }
      },
    });
    expect(result.outcome).toBe("SUCCEEDED");
    const object = await readObject(lab.s3, BUCKET, `${folder}moving.log`);
    expect(object.body.toString()).toBe(fs.readFileSync(file, "utf8"));
    expect(object.metadata.sha256).toBe(sha256Hex(object.body));
    const head = await headObject(lab.s3, BUCKET, `${folder}moving.log`);
    expect(Number(head.ContentLength)).toBe(object.body.length);
  });
});

describe("copy to S3: a large file read twice, on a store that does not check signed digests", () => {
  const probes = () => lab.proxy.requests.filter(isPayloadProbe);

  it("lands intact: its parts are hashed again on the way, and the probe part stays out of the object", async () => {
    const { directory, folder, run } = scenario();
    const body = crypto.randomBytes(13 * 1024 * 1024 + 7);
    writeFile(directory, "big.bin", body);

    const result = await run({ multipartThreshold: 8 * 1024 * 1024 });

    expect(result.outcome).toBe("SUCCEEDED");
    // s3rver took the deliberately wrong digest without a word.
    expect(probes().map((r) => r.status)).toEqual([200]);
    const object = await readObject(lab.s3, BUCKET, `${folder}big.bin`);
    expect(object.body.equals(body)).toBe(true);
    expect(object.metadata.sha256).toBe(sha256Hex(body));
  });

  it("catches a part other than the one the first read digested, which the store accepted", async () => {
    const error = await uploadWithSwappedPart(lab.proxy.endpoint, BUCKET, "swapped/big.bin");

    expect(error).toBeInstanceOf(ContentChangedError);
    expect((error as Error).message).toBe("the file changed while it was being uploaded");
    // The probe and part 1 went; part 2's last chunk was held back once its bytes did not match, so
    // the store never completed it, and part 3 never went.
    expect(
      lab.proxy.requests.filter((r) => r.method === "PUT").map((r) => [r.query.get("partNumber"), r.status]),
    ).toEqual([
      ["10000", 200],
      ["1", 200],
    ]);
    expect(await listKeys(lab.s3, BUCKET, "swapped/")).toEqual([]);
  });
});

describe("copy to S3: a repeat of a large folder, listed as parallel ranges", () => {
  const rangeStarts = () => rangeListingStarts(lab.proxy.requests);
  const wholeStarts = () => wholeListingStarts(lab.proxy.requests);

  it("cuts the ranges where the tracked paths are, and sends nothing", async () => {
    const { directory, run } = scenario();
    for (let i = 0; i < 45; i++) writeFile(directory, `d${i % 3}/f${String(i).padStart(2, "0")}.txt`, `file ${i}`);
    expect((await run({ listingRangeFiles: 10 })).outcome).toBe("SUCCEEDED");
    lab.proxy.reset();

    const repeat = await run({ listingRangeFiles: 10 });

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(repeat.events.filter((e) => e.type === "file-unchanged")).toHaveLength(45);
    expect(puts()).toBe(0);
    // 45 tracked files at 10 per range: 4 ranges, 3 of them starting after a tracked path.
    expect(rangeStarts()).toBe(3);
    expect(wholeStarts()).toBe(1);
  });

  it("lists the folder again, whole, on a store that does not list in key order, and still sends nothing", async () => {
    const { directory, run } = scenario();
    // s3rver walks the directory "a" before it lists "a.txt", which S3 lists first ("." before "/").
    for (const name of ["a.txt", "a/b", ...Array.from({ length: 30 }, (_, i) => `f${i}`)])
      writeFile(directory, name, name);
    expect((await run({ listingRangeFiles: 10 })).outcome).toBe("SUCCEEDED");
    lab.proxy.reset();

    const repeat = await run({ listingRangeFiles: 10 });

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(puts()).toBe(0);
    // The ranges were started, found out of order, and the folder was listed once more from its start.
    expect(rangeStarts()).toBeGreaterThan(0);
    expect(wholeStarts()).toBe(2);
  });
});
