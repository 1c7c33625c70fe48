// Repeats over names of every script, on a store that lists last-modified times to the
// millisecond (Ceph RGW, like AWS): a repeat reads no file, fetches and sends nothing, and
// leaves every file's ctime as it was, in both directions.
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { EngineEvent } from "@/lib/engine/events";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { useCeph } from "../support/ceph";
import { makeTempDir, runCopyJob, runDownloadJob, writeFile } from "../support/engine-harness";
import { isListing } from "../support/listing-xml";

const BUCKET = "names-ceph";
const lab = useCeph([BUCKET]);

/** NFC and NFD spellings of one name are two different names (and keys); CJK, emoji, and ASCII beside them. */
const NAMES = [
  "zé.txt",
  "ze\u0301.txt",
  "日本/été.txt",
  "日本/e\u0301te\u0301.txt",
  "é/x.txt",
  "e\u0301/x.txt",
  "😀/🎉.txt",
  "🎉.txt",
  "한국어/파일.txt",
  "ascii/y.txt",
  "Ελληνικά.txt",
  "mixed/naïve café 日本 😀.txt",
];

function ctimes(directory: string): Map<string, bigint> {
  return new Map(NAMES.map((name) => [name, fs.statSync(path.join(directory, name), { bigint: true }).ctimeNs]));
}

function unchangedPaths(events: EngineEvent[]): string[] {
  return events.flatMap((e) => (e.type === "file-unchanged" && e.how === "fingerprint" ? [e.path] : [])).sort();
}

describe("repeats over non-ASCII names on Ceph RGW", () => {
  it("of a copy from S3 track every file, then read none and change no ctime", async () => {
    const folder = "pulled-names/";
    for (const [i, name] of NAMES.entries()) {
      await lab.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: folder + name, Body: `content ${i} of ${name}\n` }),
      );
    }
    const directory = makeTempDir("s3shift-names-");
    const trackingFile = path.join(makeTempDir(), "t.db");
    const run = () => runDownloadJob({ endpoint: lab.proxy.endpoint, bucket: BUCKET, directory, folder, trackingFile });

    const first = await run();
    expect(first.outcome).toBe("SUCCEEDED");
    const tracking = new TrackingStore(trackingFile);
    try {
      expect(NAMES.filter((name) => !tracking.get(name))).toEqual([]);
    } finally {
      tracking.close();
    }
    const before = ctimes(directory);

    lab.proxy.reset();
    const repeat = await run();
    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(unchangedPaths(repeat.events)).toEqual([...NAMES].sort());
    expect(lab.proxy.requests.filter((r) => !isListing(r.query))).toEqual([]);
    expect(ctimes(directory)).toEqual(before);
  });

  it("of a copy to S3 send nothing, read no file and change no ctime", async () => {
    const directory = makeTempDir("s3shift-names-");
    for (const [i, name] of NAMES.entries()) writeFile(directory, name, `local ${i} of ${name}\n`);
    const trackingFile = path.join(makeTempDir(), "t.db");
    const run = () =>
      runCopyJob({ endpoint: lab.proxy.endpoint, bucket: BUCKET, directory, folder: "pushed-names/", trackingFile });

    expect((await run()).outcome).toBe("SUCCEEDED");
    const before = ctimes(directory);
    lab.proxy.reset();
    const repeat = await run();
    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(unchangedPaths(repeat.events)).toEqual([...NAMES].sort());
    expect(lab.proxy.requests.filter((r) => r.method !== "GET" || !isListing(r.query))).toEqual([]);
    expect(ctimes(directory)).toEqual(before);
  });
});
