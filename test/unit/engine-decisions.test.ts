// The engine's decisions, through an object store held in memory: what a job sends, what it
// leaves alone, and what it sends again. (The same jobs against a real S3 server are in test/engine.)
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreRequestError } from "@/lib/s3/store-request-error";
import { makeTempDir, runCopyJob, writeFile } from "../support/engine-harness";
import { MemoryStore } from "../support/memory-store";

const BUCKET = "memory";
const MiB = 1024 * 1024;
/** Above the harness's 16 MiB threshold: sent as four parts of 5 MiB. */
const LARGE = 17 * MiB;

function scenario() {
  const directory = makeTempDir();
  const trackingFile = path.join(makeTempDir(), "tracking.db");
  const store = new MemoryStore();
  const run = () => runCopyJob({ store, bucket: BUCKET, directory, trackingFile });
  return { directory, store, run };
}

/** What the job sent: PUTs and parts, the payload check (part 10,000) aside. */
const sent = (store: MemoryStore) =>
  store.calls.filter((c) => c.operation === "putObject" || (c.operation === "uploadPart" && c.partNumber !== 10_000));

describe("a copy to an object store, decided by the engine", () => {
  it("sends every file once, and nothing on a repeat", async () => {
    const { directory, store, run } = scenario();
    const large = crypto.randomBytes(LARGE);
    writeFile(directory, "a.txt", "alpha");
    writeFile(directory, "d/b.txt", "beta");
    writeFile(directory, "large.bin", large);

    const first = await run();
    expect(first.outcome).toBe("SUCCEEDED");
    expect(store.count("putObject")).toBe(2);
    expect(store.count("createMultipartUpload")).toBe(1);
    expect(store.body(BUCKET, "large.bin")!.equals(large)).toBe(true);
    expect(store.body(BUCKET, "d/b.txt")!.toString()).toBe("beta");

    store.calls.length = 0;
    const repeat = await run();
    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(sent(store)).toEqual([]);
    expect(store.count("createMultipartUpload")).toBe(0);
    // Known unchanged by their fingerprints: not even read.
    expect(repeat.events.flatMap((e) => (e.type === "file-unchanged" ? [e.how] : []))).toEqual([
      "fingerprint",
      "fingerprint",
      "fingerprint",
    ]);
  });

  it("sends a changed file again, and only that one", async () => {
    const { directory, store, run } = scenario();
    writeFile(directory, "a.txt", "alpha");
    writeFile(directory, "b.txt", "beta");
    expect((await run()).outcome).toBe("SUCCEEDED");

    const file = writeFile(directory, "b.txt", "beta, changed");
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    store.calls.length = 0;
    const repeat = await run();

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(sent(store)).toEqual([{ operation: "putObject", key: "b.txt" }]);
    expect(store.body(BUCKET, "b.txt")!.toString()).toBe("beta, changed");
  });

  it("sends a part again when the store found it damaged on arrival", async () => {
    const { directory, store, run } = scenario();
    const large = crypto.randomBytes(LARGE);
    writeFile(directory, "large.bin", large);
    let refused = 0;
    store.fault = (call) =>
      call.operation === "uploadPart" && call.partNumber === 2 && refused++ === 0
        ? new StoreRequestError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400)
        : undefined;

    const job = await run();

    expect(job.outcome).toBe("SUCCEEDED");
    expect(store.calls.filter((c) => c.operation === "uploadPart" && c.partNumber === 2)).toHaveLength(2);
    expect(store.body(BUCKET, "large.bin")!.equals(large)).toBe(true);
    expect(store.openUploads()).toBe(0);
  });

  it("reads a large file again when it changed under its upload, and keeps no upload of the old content", async () => {
    const { directory, store, run } = scenario();
    const file = writeFile(directory, "large.bin", crypto.randomBytes(LARGE));
    const changed = crypto.randomBytes(LARGE);
    let rewritten = false;
    // The file is rewritten (same size, new bytes, new times) as its first part reaches the store.
    store.fault = (call) => {
      if (call.operation === "uploadPart" && call.partNumber === 1 && !rewritten) {
        rewritten = true;
        fs.writeFileSync(file, changed);
        fs.utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      }
      return undefined;
    };

    const job = await run();

    expect(job.outcome).toBe("SUCCEEDED");
    expect(job.events).toContainEqual({ type: "file-reread", path: "large.bin", attempt: 1 });
    expect(job.events).toContainEqual(expect.objectContaining({ type: "multipart-aborted", path: "large.bin" }));
    expect(store.count("createMultipartUpload")).toBe(2);
    expect(store.body(BUCKET, "large.bin")!.equals(changed)).toBe(true);
    expect(store.openUploads()).toBe(0);
  });

  it("keeps an upload an outage broke off, and the next job sends only the parts the store lacks", async () => {
    const { directory, store, run } = scenario();
    const large = crypto.randomBytes(LARGE);
    writeFile(directory, "large.bin", large);
    store.fault = (call) =>
      call.operation === "uploadPart" && call.partNumber === 3
        ? new StoreRequestError("ServiceUnavailable", "Please reduce your request rate.", 503)
        : undefined;

    const broken = await run();
    expect(broken.outcome).toBe("FAILED");
    expect(broken.error).toBe(
      "The store kept failing after retries (HTTP 503, ServiceUnavailable: Please reduce your request rate.).",
    );
    expect(store.openUploads()).toBe(1);
    const firstParts = store.calls
      .filter((c) => c.operation === "uploadPart" && c.partNumber !== 3 && c.partNumber !== 10_000)
      .map((c) => c.partNumber);

    store.fault = undefined;
    store.calls.length = 0;
    const resumed = await run();

    expect(resumed.outcome).toBe("SUCCEEDED");
    expect(resumed.events).toContainEqual(expect.objectContaining({ type: "multipart-resumed", path: "large.bin" }));
    const resent = sent(store).map((c) => c.partNumber);
    expect(resent).toContain(3);
    expect(resent.filter((n) => firstParts.includes(n))).toEqual([]);
    expect(store.count("createMultipartUpload")).toBe(0);
    expect(store.body(BUCKET, "large.bin")!.equals(large)).toBe(true);
  });
});
