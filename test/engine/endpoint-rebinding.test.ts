import dns from "node:dns";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { makeTempDir, runCopyJob, runDownloadJob, writeFile } from "../support/engine-harness";
import { startS3Server, type S3TestServer } from "../support/s3-server";

const BUCKET = "rebind-bucket";
// s3rver reads any other host name as a bucket (CNAME style); the lookup below stands in for a
// hostile DNS that answers for it.
const NAME = "localhost";
let s3: S3TestServer;
/** What the store's name resolves to now: the test changes it between jobs, as a hostile DNS would. */
let resolvesTo = "127.0.0.1";

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
});
afterAll(() => s3?.stop());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function resolveStoreName() {
  const lookup = dns.lookup;
  vi.spyOn(dns, "lookup").mockImplementation(((
    hostname: string,
    options: dns.LookupOptions,
    callback: (...args: unknown[]) => void,
  ) =>
    hostname === NAME
      ? callback(null, options.all ? [{ address: resolvesTo, family: 4 }] : resolvesTo, 4)
      : (lookup as (...args: unknown[]) => void)(hostname, options, callback)) as typeof dns.lookup);
}

describe("a store whose name later resolves to a refused address", () => {
  it("fails the next job, either way, with a message that says why", async () => {
    // Only the store's own address is allowed; 127.0.0.2 is another service on the host.
    vi.stubEnv("SHIFT_ALLOWED_ENDPOINTS", "127.0.0.1/32");
    resolveStoreName();
    resolvesTo = "127.0.0.1";
    const endpoint = `http://${NAME}:${s3.port}`;
    const directory = makeTempDir();
    writeFile(directory, "a.txt", "first");
    const first = await runCopyJob({
      endpoint,
      bucket: BUCKET,
      directory,
      trackingFile: path.join(makeTempDir(), "t.db"),
      folder: "f/",
    });
    expect(first.error).toBe("");
    expect(first.outcome).toBe("SUCCEEDED");

    resolvesTo = "127.0.0.2";
    writeFile(directory, "b.txt", "second");
    const expected = `The object store's address is not allowed: "${NAME}" resolves to a loopback address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.`;
    const push = await runCopyJob({
      endpoint,
      bucket: BUCKET,
      directory,
      trackingFile: path.join(makeTempDir(), "t.db"),
      folder: "f/",
      maxAttempts: 1,
    });
    expect({ outcome: push.outcome, error: push.error }).toEqual({ outcome: "FAILED", error: expected });
    const pull = await runDownloadJob({
      endpoint,
      bucket: BUCKET,
      directory: makeTempDir(),
      trackingFile: path.join(makeTempDir(), "p.db"),
      folder: "f/",
      maxAttempts: 1,
    });
    expect({ outcome: pull.outcome, error: pull.error }).toEqual({ outcome: "FAILED", error: expected });
  });
});
