// What s3rver cannot show: the store's own list of unfinished multipart uploads, its aborts, its
// checks of Content-MD5 and of signed SHA-256 digests, and listings in S3's key order. These run against a real Ceph RADOS Gateway on 127.0.0.1.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, ListPartsCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { useCeph } from "../support/ceph";
import { compareUtf8 } from "@/lib/engine/key-order";
import { listRemote } from "@/lib/engine/remote-listing";
import { ContentChangedError } from "@/lib/s3/multipart-upload";
import { injectFaults } from "../support/faults";
import { uploadWithSwappedPart } from "../support/multipart-checks";
import {
  engineStore,
  listKeys,
  makeTempDir,
  readObject,
  runCopyJob,
  runDownloadJob,
  sha256Hex,
  writeFile,
} from "../support/engine-harness";
import { isPartUpload, isPayloadProbe } from "../support/s3-proxy";

const BUCKET = "ceph-bucket";
const MiB = 1024 * 1024;
const lab = useCeph([BUCKET]);
let folderSeq = 0;

function scenario() {
  const directory = makeTempDir();
  const folder = `case-${++folderSeq}/`;
  const trackingFile = path.join(makeTempDir(), "tracking.db");
  const run = (extra: Partial<Parameters<typeof runCopyJob>[0]> = {}) =>
    runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory,
      trackingFile,
      folder,
      multipartThreshold: 8 * MiB,
      ...extra,
    });
  return { directory, folder, run };
}

/** The unfinished uploads the store holds under a prefix, asked of the store itself. */
async function unfinishedUploads(prefix: string): Promise<{ key: string; uploadId: string }[]> {
  const page = await lab.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
}

const creates = () => lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"));
const completes = () => lab.proxy.count((r) => r.method === "POST" && r.query.has("uploadId"));

describe("multipart uploads on a store that lists and aborts them (Ceph RGW)", () => {
  it("under 40% faults on multipart requests, every object lands intact and the store holds no unfinished upload", async () => {
    const { directory, folder, run } = scenario();
    const contents = new Map([
      ["a.bin", crypto.randomBytes(13 * MiB + 3)],
      ["b/c.bin", crypto.randomBytes(11 * MiB)],
      ["b/d.bin", crypto.randomBytes(17 * MiB)],
    ]);
    for (const [name, body] of contents) writeFile(directory, name, body);
    // At most 3 faults for one request, below the 6 attempts: each one eventually lands, with room
    // for a slow answer of a busy machine to time out as well.
    const plan = injectFaults({
      rate: 0.4,
      seed: 41,
      perRequest: 3,
      applies: (r) => r.query.has("uploadId") || r.query.has("uploads"),
    });
    // Besides, every file's first Create loses its reply after the store made the upload, so each
    // file leaves a duplicate whatever order the random faults fall in.
    const created = new Set<string>();
    lab.proxy.interceptor = (r) => {
      if (r.method !== "POST" || !r.query.has("uploads") || created.has(r.path)) return plan.interceptor(r);
      created.add(r.path);
      return "reset-after";
    };

    const result = await run({ maxAttempts: 6, requestTimeoutMs: 2_000 });

    // Creates that timed out or lost their reply after the store acted leave duplicates; they are aborted.
    const duplicates = result.events.filter((e) => e.type === "orphan-upload-aborted").length;
    console.log(`faults injected: ${JSON.stringify(plan.injected)}; duplicate uploads aborted: ${duplicates}`);
    expect(result.error).toBe("");
    expect(result.outcome).toBe("SUCCEEDED");
    expect(plan.total()).toBeGreaterThan(3);
    expect(duplicates).toBeGreaterThanOrEqual(contents.size);
    for (const [name, body] of contents) {
      const object = await readObject(lab.s3, BUCKET, folder + name);
      expect(sha256Hex(object.body), name).toBe(sha256Hex(body));
      expect(object.metadata.sha256).toBe(sha256Hex(body));
    }
    expect(await unfinishedUploads(folder)).toEqual([]);
  });

  it("keeps the upload of a stopped job on the store with its confirmed parts, resumes it, and leaves none behind", async () => {
    const { directory, folder, run } = scenario();
    const body = crypto.randomBytes(30 * MiB);
    writeFile(directory, "huge.bin", body);
    lab.proxy.interceptor = (r) => (isPartUpload(r) ? { delayMs: 300 } : undefined);
    const controller = new AbortController();
    let parts = 0;
    const stopped = await run({
      signal: controller.signal,
      onEvent: (e) => e.type === "bytes-moved" && ++parts >= 2 && controller.abort(),
    });
    expect(stopped.outcome).toBe("ABORTED");

    const kept = await unfinishedUploads(folder);
    expect(kept).toEqual([{ key: `${folder}huge.bin`, uploadId: expect.any(String) }]);
    const listed = await lab.s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: kept[0]!.key, UploadId: kept[0]!.uploadId }),
    );
    const confirmed = listed.Parts?.length ?? 0;
    expect(confirmed).toBeGreaterThanOrEqual(2);

    lab.proxy.reset();
    lab.proxy.interceptor = undefined;
    const resumed = await run();
    expect(resumed.outcome).toBe("SUCCEEDED");
    expect(creates()).toBe(0);
    // Only the parts the store had not confirmed travel again (6 parts of 5 MiB).
    expect(lab.proxy.uploadedBytes()).toBeLessThanOrEqual(body.length - 2 * 5 * MiB);
    expect(sha256Hex((await readObject(lab.s3, BUCKET, `${folder}huge.bin`)).body)).toBe(sha256Hex(body));
    expect(await unfinishedUploads(folder)).toEqual([]);
  });

  it("aborts on the store a kept upload whose file has changed since", async () => {
    const { directory, folder, run } = scenario();
    writeFile(directory, "huge.bin", crypto.randomBytes(20 * MiB));
    lab.proxy.interceptor = (r) => (isPartUpload(r) ? { delayMs: 300 } : undefined);
    const controller = new AbortController();
    await run({ signal: controller.signal, onEvent: (e) => e.type === "bytes-moved" && controller.abort() });
    const [kept] = await unfinishedUploads(folder);
    expect(kept).toBeDefined();

    const changed = crypto.randomBytes(20 * MiB);
    writeFile(directory, "huge.bin", changed);
    lab.proxy.interceptor = undefined;
    const result = await run();
    expect(result.outcome).toBe("SUCCEEDED");
    // This time the abort succeeds, so the reason is the change alone.
    expect(result.events).toContainEqual(
      expect.objectContaining({
        type: "multipart-aborted",
        uploadId: kept!.uploadId,
        reason: expect.stringMatching(/^the file changed since an earlier job began uploading it[^;]*$/),
      }),
    );
    expect(await unfinishedUploads(folder)).toEqual([]);
    expect(sha256Hex((await readObject(lab.s3, BUCKET, `${folder}huge.bin`)).body)).toBe(sha256Hex(changed));
  });

  it("aborts the duplicate upload that a lost reply to CreateMultipartUpload leaves, and not another writer's upload", async () => {
    const { directory, folder, run } = scenario();
    const body = crypto.randomBytes(12 * MiB);
    writeFile(directory, "big.bin", body);
    const foreign = await lab.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${folder}big.bin` }));
    // Older than any retry window of ours: another writer's upload in progress.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    let lost = 0;
    lab.proxy.interceptor = (r) =>
      r.method === "POST" && r.query.has("uploads") && lost++ === 0 ? "reset-after" : undefined;

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    expect(creates()).toBe(2);
    expect(completes()).toBe(1);
    const orphans = result.events.filter((e) => e.type === "orphan-upload-aborted");
    expect(orphans).toHaveLength(1);
    expect(await unfinishedUploads(folder)).toEqual([{ key: `${folder}big.bin`, uploadId: foreign.UploadId }]);
    expect(sha256Hex((await readObject(lab.s3, BUCKET, `${folder}big.bin`)).body)).toBe(sha256Hex(body));
  });
});

describe("integrity checked by the store itself (Content-MD5 and the signed SHA-256 of a PUT, the signed SHA-256 of a part)", () => {
  it.each([
    [
      "a single PUT",
      64 * 1024,
      (r: { method: string; query: URLSearchParams }) => r.method === "PUT" && !r.query.has("uploadId"),
    ],
    ["a multipart part", 12 * MiB, isPartUpload],
  ])("a body damaged on the way in %s is refused by the gateway and sent again", async (_what, size, matches) => {
    const { directory, folder, run } = scenario();
    const body = crypto.randomBytes(size);
    writeFile(directory, "file.bin", body);
    let damaged = 0;
    lab.proxy.interceptor = (r) => (matches(r) && damaged++ === 0 ? "corrupt" : undefined);

    const result = await run();

    expect(result.error).toBe("");
    expect(result.outcome).toBe("SUCCEEDED");
    expect(damaged).toBeGreaterThan(0);
    // The gateway refused the damaged body once (and the payload-check probe, which it always refuses).
    expect(lab.proxy.requests.filter((r) => r.status === 400 && !isPayloadProbe(r))).toHaveLength(1);
    expect(sha256Hex((await readObject(lab.s3, BUCKET, `${folder}file.bin`)).body)).toBe(sha256Hex(body));
    expect(await unfinishedUploads(folder)).toEqual([]);
  });
});

describe("parts signed with the SHA-256 digests of the file's first read", () => {
  it("files read once for their digests and again as the parts go land intact, each part signed with its own digest", async () => {
    const { directory, folder, run } = scenario();
    const bodies = [crypto.randomBytes(13 * MiB + 5), crypto.randomBytes(11 * MiB)];
    bodies.forEach((body, i) => writeFile(directory, `f${i}.bin`, body));

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    // The parts rely on the store's check: it is asked once per job whether it makes it.
    expect(lab.proxy.requests.filter(isPayloadProbe).map((r) => r.status)).toEqual([400]);
    for (const [i, body] of bodies.entries()) {
      const key = `${folder}f${i}.bin`;
      const parts = lab.proxy.requests.filter((r) => isPartUpload(r) && r.path.endsWith(key));
      expect(parts).toHaveLength(3);
      for (const part of parts) {
        const offset = (Number(part.query.get("partNumber")) - 1) * 5 * MiB;
        expect(part.headers["x-amz-content-sha256"]).toBe(sha256Hex(body.subarray(offset, offset + 5 * MiB)));
      }
      const object = await readObject(lab.s3, BUCKET, key);
      expect(sha256Hex(object.body)).toBe(sha256Hex(body));
      expect(object.metadata.sha256).toBe(sha256Hex(body));
    }
    expect(await unfinishedUploads(folder)).toEqual([]);
  });

  it("a part other than the one the first read digested is refused by the store, and the upload ends as a changed file", async () => {
    const folder = `case-${++folderSeq}/`;

    const error = await uploadWithSwappedPart(lab.proxy.endpoint, BUCKET, `${folder}swapped.bin`);

    expect(error).toBeInstanceOf(ContentChangedError);
    expect((error as Error).message).toBe("the file changed while it was being uploaded");
    // The probe and the swapped part 2 were refused; part 2 was not sent again (our bytes were the
    // wrong ones, not the network's), and part 3 never went.
    const sent = lab.proxy.requests.filter((r) => r.method === "PUT");
    expect(sent.map((r) => [r.query.get("partNumber"), r.status])).toEqual([
      ["10000", 400],
      ["1", 200],
      ["2", 400],
    ]);
    expect(await unfinishedUploads(folder)).toEqual([]);
    expect(await listKeys(lab.s3, BUCKET, folder)).toEqual([]);
  });
});

describe("names at the limits of a real store", () => {
  it("copies 255-byte names (ASCII and multi-byte UTF-8) and a 1,000-byte key exactly, to the store and back", async () => {
    const { directory, folder, run } = scenario();
    const names = [
      "a".repeat(251) + ".bin",
      "€".repeat(85),
      `${"d".repeat(255)}/${"e".repeat(255)}/${"f".repeat(255)}/${"g".repeat(1000 - folder.length - 3 * 256)}`,
    ];
    for (const name of names) expect(Buffer.byteLength(folder + name)).toBeLessThanOrEqual(1000);
    const contents = new Map(names.map((name) => [name, crypto.randomBytes(100)]));
    for (const [name, body] of contents) writeFile(directory, name, body);

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    expect((await listKeys(lab.s3, BUCKET, folder)).sort()).toEqual(names.map((n) => folder + n).sort());
    for (const [name, body] of contents)
      expect((await readObject(lab.s3, BUCKET, folder + name)).body.equals(body)).toBe(true);

    const back = makeTempDir();
    const pulled = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: back,
      folder,
      trackingFile: path.join(makeTempDir(), "pull.db"),
    });
    expect(pulled.outcome).toBe("SUCCEEDED");
    for (const [name, body] of contents) expect(fs.readFileSync(path.join(back, name)).equals(body), name).toBe(true);
  });
});

describe("a folder listed as parallel ranges, on a store that lists in UTF-8 byte order", () => {
  it("finds every key exactly once, with ranges cut between names that UTF-16 orders otherwise", async () => {
    const { directory, folder, run } = scenario();
    // U+E000 and U+FFFD sort before U+1F600 in UTF-8, after it in UTF-16; "a.txt" sorts before "a/b".
    const names = [
      ...Array.from({ length: 40 }, (_, i) => `d/f${String(i).padStart(2, "0")}`),
      "x/\uE000",
      "x/\uFFFD",
      "x/\u{1F600}",
      "x/z",
      "a.txt",
      "a/b",
    ];
    for (const name of names) writeFile(directory, name, name);
    expect((await run()).outcome).toBe("SUCCEEDED");
    const store = engineStore(lab.proxy.endpoint);

    const listed: string[] = [];
    for await (const object of listRemote(store, BUCKET, folder, {
      splits: ["a/b", "d/f20", "x/\uE000", "x/\uFFFD", "x/\u{1F600}"],
      pageSize: 4,
    }))
      listed.push(object.relPath);

    store.destroy();
    expect(listed).toHaveLength(names.length);
    expect(listed.sort(compareUtf8)).toEqual([...names].sort(compareUtf8));
    // And a repeat job cut into ranges (46 tracked files, 10 per range) sends nothing.
    lab.proxy.reset();
    const repeat = await run({ listingRangeFiles: 10 });
    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(repeat.events.filter((e) => e.type === "file-unchanged")).toHaveLength(names.length);
    expect(lab.proxy.count((r) => r.method === "PUT")).toBe(0);
    expect(lab.proxy.count((r) => r.query.has("start-after"))).toBe(3);
  });
});
