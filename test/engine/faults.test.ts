import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { injectFaults } from "../support/faults";
import { useProxiedS3 } from "../support/proxied-s3";
import { isPartUpload } from "../support/s3-proxy";
import {
  listKeys,
  makeTempDir,
  readObject,
  runCopyJob,
  runDownloadJob,
  sha256Hex,
  writeFile,
} from "../support/engine-harness";

const BUCKET = "fault-bucket";
const MiB = 1024 * 1024;
const lab = useProxiedS3(BUCKET);

/** Nested small files, an empty one, and two files large enough for multipart uploads and ranged GETs. */
function mixedTree(): { directory: string; contents: Map<string, Buffer> } {
  const directory = makeTempDir("s3shift-faults-");
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < 80; i++) contents.set(`d${i % 4}/sub${i % 3}/f${i}.bin`, crypto.randomBytes(1000 + i * 37));
  contents.set("empty.txt", Buffer.alloc(0));
  contents.set("large/a.bin", crypto.randomBytes(13 * MiB + 5));
  contents.set("large/b.bin", crypto.randomBytes(11 * MiB));
  for (const [name, body] of contents) writeFile(directory, name, body);
  return { directory, contents };
}

/** The settings of a fault run: production's six attempts, and a request timeout that a stall outlasts. */
const resilient = { maxAttempts: 6, requestTimeoutMs: 1_000 };

describe("copies under injected faults (resets before and after the store acted, 500, 503 SlowDown, latency, stalls, truncated replies)", () => {
  it.each([11, 12, 13])(
    "copy to S3 with a tenth of all requests faulty completes, and every object is byte-identical (seed %i)",
    async (seed) => {
      const { directory, contents } = mixedTree();
      const plan = injectFaults({ rate: 0.1, seed });
      lab.proxy.interceptor = plan.interceptor;

      const result = await runCopyJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory,
        folder: `up-${seed}/`,
        trackingFile: path.join(makeTempDir(), "t.db"),
        multipartThreshold: 8 * MiB,
        ...resilient,
      });

      console.log(
        `faults injected while copying to S3 (${lab.proxy.requests.length} requests):`,
        JSON.stringify(plan.injected),
      );
      expect(result.error).toBe("");
      expect(result.outcome).toBe("SUCCEEDED");
      expect(plan.total()).toBeGreaterThanOrEqual(8);
      expect((await listKeys(lab.s3, BUCKET, `up-${seed}/`)).sort()).toEqual(
        [...contents.keys()].map((k) => `up-${seed}/${k}`).sort(),
      );
      for (const [name, body] of contents) {
        const object = await readObject(lab.s3, BUCKET, `up-${seed}/${name}`);
        expect(sha256Hex(object.body), name).toBe(sha256Hex(body));
        expect(object.metadata.sha256).toBe(sha256Hex(body));
      }
    },
  );

  it.each([21, 22, 23])(
    "copy from S3 with a tenth of all requests faulty completes, and every file is byte-identical (seed %i)",
    async (seed) => {
      const { directory: source, contents } = mixedTree();
      const folder = `down-${seed}/`;
      expect(
        (
          await runCopyJob({
            endpoint: lab.proxy.endpoint,
            bucket: BUCKET,
            directory: source,
            folder,
            trackingFile: path.join(makeTempDir(), "t.db"),
          })
        ).outcome,
      ).toBe("SUCCEEDED");
      const target = makeTempDir("s3shift-faults-pull-");
      const plan = injectFaults({ rate: 0.1, seed });
      lab.proxy.interceptor = plan.interceptor;

      const result = await runDownloadJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: target,
        folder,
        trackingFile: path.join(makeTempDir(), "t.db"),
        rangeThreshold: 8 * MiB,
        ...resilient,
      });

      console.log(
        `faults injected while copying from S3 (${lab.proxy.requests.length} requests):`,
        JSON.stringify(plan.injected),
      );
      expect(result.error).toBe("");
      expect(result.outcome).toBe("SUCCEEDED");
      expect(plan.total()).toBeGreaterThanOrEqual(8);
      for (const [name, body] of contents)
        expect(sha256Hex(fs.readFileSync(path.join(target, name))), name).toBe(sha256Hex(body));
      expect((fs.readdirSync(target, { recursive: true }) as string[]).filter((p) => p.endsWith(".partial"))).toEqual(
        [],
      );
    },
  );

  it("multipart uploads survive 40% faults on their own requests (create, parts, complete)", async () => {
    const directory = makeTempDir("s3shift-faults-mpu-");
    const body = crypto.randomBytes(26 * MiB);
    writeFile(directory, "big.bin", body);
    // At most 3 faults for one request, below the attempts allowed: each one eventually lands.
    const plan = injectFaults({
      rate: 0.4,
      seed: 5,
      perRequest: 3,
      kinds: ["reset", "reset-after", "503", "truncate"],
      applies: (r) => r.query.has("uploads") || r.query.has("uploadId"),
    });
    lab.proxy.interceptor = plan.interceptor;
    const result = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory,
      folder: "mpu/",
      trackingFile: path.join(makeTempDir(), "t.db"),
      multipartThreshold: 8 * MiB,
      ...resilient,
    });
    console.log(
      `faults injected into multipart requests (${lab.proxy.requests.length} requests):`,
      JSON.stringify(plan.injected),
    );
    expect(result.error).toBe("");
    expect(result.outcome).toBe("SUCCEEDED");
    expect(sha256Hex((await readObject(lab.s3, BUCKET, "mpu/big.bin")).body)).toBe(sha256Hex(body));
  });

  it("a completion whose reply is lost is recognised by the object it made, not reported as a failure", async () => {
    const directory = makeTempDir("s3shift-faults-complete-");
    const body = crypto.randomBytes(12 * MiB);
    writeFile(directory, "done.bin", body);
    let completions = 0;
    // The store completes the upload, but the reply never reaches the client, which retries.
    lab.proxy.interceptor = (r) =>
      r.method === "POST" && r.query.has("uploadId") && ++completions === 1 ? "reset-after" : undefined;
    const result = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory,
      folder: "complete/",
      trackingFile: path.join(makeTempDir(), "t.db"),
      multipartThreshold: 8 * MiB,
      ...resilient,
    });
    expect(completions).toBeGreaterThanOrEqual(2);
    expect(result.error).toBe("");
    expect(result.outcome).toBe("SUCCEEDED");
    expect(sha256Hex((await readObject(lab.s3, BUCKET, "complete/done.bin")).body)).toBe(sha256Hex(body));
  });

  it("a multipart upload cut off by an outage is kept, and the next job resumes it with the missing parts only", async () => {
    const directory = makeTempDir("s3shift-faults-outage-");
    const body = crypto.randomBytes(30 * MiB);
    writeFile(directory, "big.bin", body);
    const trackingFile = path.join(makeTempDir(), "t.db");
    let partsServed = 0;
    lab.proxy.interceptor = (r) =>
      isPartUpload(r) && ++partsServed > 2
        ? {
            status: 503,
            body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
          }
        : undefined;
    const run = () =>
      runCopyJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory,
        folder: "outage-mpu/",
        trackingFile,
        multipartThreshold: 8 * MiB,
        maxAttempts: 2,
      });

    const failed = await run();
    expect(failed.outcome).toBe("FAILED");
    expect(failed.error).toMatch(/^The store kept failing after retries \(HTTP 503/);
    expect(lab.proxy.count((r) => r.method === "DELETE")).toBe(0);

    lab.proxy.interceptor = undefined;
    lab.proxy.reset();
    const resumed = await run();
    expect(resumed.outcome).toBe("SUCCEEDED");
    expect(lab.proxy.count((r) => r.method === "POST" && r.query.has("uploads"))).toBe(0);
    const reused = (resumed.events.find((e) => e.type === "multipart-resumed") as { partsReused: number }).partsReused;
    expect(reused).toBe(2);
    expect(lab.proxy.uploadedBytes()).toBe(body.length - 2 * 5 * MiB);
    expect(sha256Hex((await readObject(lab.s3, BUCKET, "outage-mpu/big.bin")).body)).toBe(sha256Hex(body));
  });

  it("a store that keeps answering 503 fails the pull with a readable message; the repeat after it recovers completes", async () => {
    const { directory: source, contents } = mixedTree();
    await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: source,
      folder: "outage/",
      trackingFile: path.join(makeTempDir(), "t.db"),
    });
    const target = makeTempDir("s3shift-outage-");
    const trackingFile = path.join(makeTempDir(), "t.db");
    let served = 0;
    // The listing and the first objects come through; then the store stays unavailable.
    lab.proxy.interceptor = (r) =>
      r.method === "GET" && !r.query.has("list-type") && ++served > 20
        ? {
            status: 503,
            body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
          }
        : undefined;

    const failed = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: target,
      folder: "outage/",
      trackingFile,
      maxAttempts: 3,
    });

    expect(failed.outcome).toBe("FAILED");
    expect(failed.error).toBe(
      "The store kept failing after retries (HTTP 503, SlowDown: Please reduce your request rate.).",
    );
    lab.proxy.interceptor = undefined;
    lab.proxy.reset();
    const repeat = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: target,
      folder: "outage/",
      trackingFile,
    });
    expect(repeat.outcome).toBe("SUCCEEDED");
    for (const [name, body] of contents)
      expect(sha256Hex(fs.readFileSync(path.join(target, name)))).toBe(sha256Hex(body));
    // What the failed job had placed is not fetched again.
    expect(repeat.progress.filesUnchanged).toBeGreaterThan(0n);
    expect(repeat.progress.filesTransferred + repeat.progress.filesUnchanged).toBe(BigInt(contents.size));
  });
});
