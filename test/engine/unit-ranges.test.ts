// A job's work units, on the engine: a push over one range of keys reads, lists and sends only
// that range; an attempt that follows a stopped one passes over what the first had dealt with,
// so every file is sent once and counted once across the two.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Completions, type DoneMark } from "@/lib/engine/completions";
import { compareUtf8 } from "@/lib/engine/key-order";
import type { KeyRange } from "@/lib/engine/key-range";
import { filesDone } from "@/lib/progress/remaining";
import {
  listKeys,
  makeTempDir,
  runCopyJob,
  runDownloadJob,
  writeFile,
  type RunOutcome,
} from "../support/engine-harness";
import type { EngineEvent } from "@/lib/engine/events";
import { useProxiedS3 } from "../support/proxied-s3";
import { isListing } from "../support/listing-xml";

const BUCKET = "units-bucket";
const lab = useProxiedS3(BUCKET);
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** 3 directories of 30 files, and 5 at the top. */
function makeTree(): { root: string; names: string[] } {
  const root = makeTempDir("s3shift-units-");
  temps.push(root);
  const names = [
    ...Array.from({ length: 90 }, (_, i) => `d${i % 3}/f${String(i).padStart(3, "0")}.txt`),
    ...Array.from({ length: 5 }, (_, i) => `top${i}.txt`),
  ];
  for (const name of names) writeFile(root, name, `contents of ${name}`);
  return { root, names: names.sort(compareUtf8) };
}

const putKeys = () =>
  lab.proxy.requests
    .filter((r) => r.method === "PUT")
    .map((r) => decodeURIComponent(r.path.split("/").slice(2).join("/")))
    .sort(compareUtf8);

const inside = (name: string, range: KeyRange) =>
  compareUtf8(name, range.lower) >= 0 && (range.upper === undefined || compareUtf8(name, range.upper) < 0);

/**
 * Runs one range as three attempts, the first stopped after 25 files moved, the second after 10,
 * each going on from the mark the one before left, as a unit taken over does. No attempt moves
 * a key an earlier one dealt with (`moved` lists the keys the store was asked to move since the
 * last reset); returns the files counted across the attempts and what each moved.
 */
async function attemptsAfterStops(
  folder: string,
  range: KeyRange,
  moved: () => string[],
  run: (
    unit: { range: KeyRange; completions: Completions; resumeFrom?: DoneMark },
    signal: AbortSignal,
    onEvent: (event: EngineEvent) => void,
  ) => Promise<RunOutcome>,
): Promise<{ counted: bigint; movedBy: string[][] }> {
  let mark: DoneMark | undefined;
  let counted = 0n;
  const movedBy: string[][] = [];
  for (const stopAfter of [25, 10, undefined]) {
    lab.proxy.reset();
    const stop = new AbortController();
    const completions = new Completions(mark);
    let done = 0;
    const attempt = await run({ range, completions, resumeFrom: mark }, stop.signal, (event) => {
      if (event.type === "file-transferred" && ++done === stopAfter) stop.abort(new Error("stopped"));
    });
    expect(attempt.outcome).toBe(stopAfter === undefined ? "SUCCEEDED" : "ABORTED");
    const keys = moved();
    const earlier = mark;
    const dealtWith = (key: string) =>
      !!earlier &&
      ((earlier.through !== undefined && compareUtf8(key, folder + earlier.through) <= 0) ||
        earlier.beyond.map((k) => folder + k).includes(key));
    expect(keys.filter(dealtWith)).toEqual([]);
    movedBy.push(keys);
    // What the attempt committed: its counters and its mark, read together.
    counted += filesDone(attempt.progress);
    mark = completions.mark();
    if (stopAfter !== undefined) {
      expect(mark.through).toBeUndefined();
      expect(mark.beyond.length).toBeGreaterThanOrEqual(stopAfter);
    }
  }
  return { counted, movedBy };
}

describe("work units on the engine", () => {
  it("each range sends, lists and tracks only its own keys; together they send every file once", async () => {
    const { root, names } = makeTree();
    const folder = "ranges/";
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(path.dirname(trackingFile));
    // Cut inside a directory, at a key that does not exist, and at a directory's start.
    const ranges: KeyRange[] = [
      { lower: "", upper: "d1/f040.txt" },
      { lower: "d1/f040.txt", upper: "d2/" },
      { lower: "d2/" },
    ];
    for (const range of ranges) {
      const before = lab.proxy.requests.length;
      const result = await runCopyJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: root,
        trackingFile,
        folder,
        unit: { range, completions: new Completions() },
      });
      expect(result.outcome).toBe("SUCCEEDED");
      const own = names.filter((name) => inside(name, range));
      expect(result.progress.filesTransferred).toBe(BigInt(own.length));
      const listings = lab.proxy.requests.slice(before).filter((r) => isListing(r.query));
      // Listed from just before the range's first key, never from the folder's start (but the first range).
      expect(listings[0]!.query.get("start-after") ?? "").toBe(
        range.lower === "" ? "" : folder + range.lower.slice(0, -1),
      );
    }
    expect(putKeys()).toEqual(names.map((name) => folder + name));
    expect((await listKeys(lab.s3, BUCKET, folder)).sort(compareUtf8)).toEqual(names.map((n) => folder + n));

    // The repeat of one range finds its files unchanged through the tracking it wrote.
    lab.proxy.reset();
    const repeat = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: root,
      trackingFile,
      folder,
      unit: { range: ranges[1]!, completions: new Completions() },
    });
    expect(repeat.progress.filesUnchanged).toBe(BigInt(names.filter((n) => inside(n, ranges[1]!)).length));
    expect(putKeys()).toEqual([]);
  });

  it("attempts after stopped ones pass over what each dealt with: every file sent and counted once", async () => {
    const { root, names } = makeTree();
    const folder = "resumed/";
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(path.dirname(trackingFile));
    const range: KeyRange = { lower: "d0/", upper: "top3.txt" };
    const own = names.filter((name) => inside(name, range));
    // The range's first file is slow: files after it finish first, and the mark must name them
    // one by one, and keep naming them through an attempt that never dispatches them again.
    lab.proxy.interceptor = (r) =>
      r.method === "PUT" ? { delayMs: r.path.endsWith("/d0/f000.txt") ? 1_500 : 20 } : undefined;

    const { counted, movedBy: sentBy } = await attemptsAfterStops(folder, range, putKeys, (unit, signal, onEvent) =>
      runCopyJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: root,
        trackingFile,
        folder,
        signal,
        unit,
        onEvent,
      }),
    );
    // Every file of the range counted once across the three attempts.
    expect(counted).toBe(BigInt(own.length));
    // Sent again only what an attempt had on the wire when it stopped (the slow file each time).
    expect(sentBy[1]!.filter((key) => sentBy[0]!.includes(key)).length).toBeLessThanOrEqual(8);
    expect((await listKeys(lab.s3, BUCKET, folder)).sort(compareUtf8)).toEqual(own.map((n) => folder + n));
  });

  it("a directory's own error is reported by the one range that holds its key, not by every range inside it", async () => {
    const root = makeTempDir("s3shift-units-deep-");
    temps.push(root);
    // Too deep for any key below it: the walk reports the directory and does not enter it.
    const deep = ["x", ...Array.from({ length: 5 }, (_, i) => `${String.fromCharCode(97 + i)}`.repeat(220))].join("/");
    writeFile(root, `${deep}/f.txt`, "never a key");
    writeFile(root, "x/zz.txt", "a file");
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(path.dirname(trackingFile));
    const failed: string[] = [];
    // The second range starts inside the deep directory's subtree.
    const cut = `${deep}/m`;
    for (const range of [{ lower: "", upper: cut }, { lower: cut }]) {
      await runCopyJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: root,
        trackingFile,
        folder: "deep/",
        unit: { range, completions: new Completions() },
        onEvent: (event) => {
          if (event.type === "file-failed") failed.push(event.path);
        },
      });
    }
    expect(failed).toHaveLength(1);
    expect(failed[0]).toBe(`${deep}/`);
  });
});

describe("work units of a pull on the engine", () => {
  const getKeys = () =>
    lab.proxy.requests
      .filter((r) => r.method === "GET" && !isListing(r.query))
      .map((r) => decodeURIComponent(r.path.split("/").slice(2).join("/")))
      .sort(compareUtf8);

  /** The tree of makeTree, pushed to `folder` as the source of the pulls. */
  async function seedFolder(folder: string): Promise<string[]> {
    const { root, names } = makeTree();
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(path.dirname(trackingFile));
    const pushed = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: root,
      trackingFile,
      folder,
    });
    expect(pushed.outcome).toBe("SUCCEEDED");
    return names;
  }

  it("each range lists and downloads only its own keys; together they place every object once", async () => {
    const folder = "pull-ranges/";
    const names = await seedFolder(folder);
    const target = makeTempDir("s3shift-units-pull-");
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(target, path.dirname(trackingFile));
    const ranges: KeyRange[] = [
      { lower: "", upper: "d1/f040.txt" },
      { lower: "d1/f040.txt", upper: "d2/" },
      { lower: "d2/" },
    ];
    for (const range of ranges) {
      lab.proxy.reset();
      const result = await runDownloadJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: target,
        trackingFile,
        folder,
        unit: { range, completions: new Completions() },
      });
      expect(result.outcome).toBe("SUCCEEDED");
      const own = names.filter((name) => inside(name, range));
      expect(result.progress.filesTransferred).toBe(BigInt(own.length));
      expect(getKeys()).toEqual(own.map((name) => folder + name));
      // Only this range's files are on disk so far, besides the earlier ranges'.
      const listings = lab.proxy.requests.filter((r) => isListing(r.query));
      expect(listings[0]!.query.get("start-after") ?? "").toBe(
        range.lower === "" ? "" : folder + range.lower.slice(0, -1),
      );
    }
    for (const name of names) expect(fs.readFileSync(path.join(target, name), "utf8")).toBe(`contents of ${name}`);

    lab.proxy.reset();
    const repeat = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: target,
      trackingFile,
      folder,
      unit: { range: ranges[1]!, completions: new Completions() },
    });
    expect(repeat.progress.filesUnchanged).toBe(BigInt(names.filter((n) => inside(n, ranges[1]!)).length));
    expect(getKeys()).toEqual([]);
  });

  it("attempts after stopped ones fetch nothing an earlier one dealt with, count a marker that fails once, and leave no temporary file", async () => {
    const folder = "pull-resumed/";
    const names = await seedFolder(folder);
    const target = makeTempDir("s3shift-units-pull-");
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(target, path.dirname(trackingFile));
    // A directory marker the first attempt cannot make (a file is in its way), just after the slow file.
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${folder}d0/f001/`, Body: "" }));
    writeFile(target, "d0/f001", "a file where the marker's directory would go");
    const range: KeyRange = { lower: "d0/", upper: "top3.txt" };
    const own = names.filter((name) => inside(name, range));
    lab.proxy.interceptor = (r) =>
      r.method === "GET" && !isListing(r.query) ? { delayMs: r.path.endsWith("/d0/f000.txt") ? 1_500 : 20 } : undefined;

    const { counted } = await attemptsAfterStops(folder, range, getKeys, (unit, signal, onEvent) =>
      runDownloadJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: target,
        trackingFile,
        folder,
        signal,
        unit,
        onEvent,
      }),
    );
    lab.proxy.interceptor = undefined;
    expect(counted).toBe(BigInt(own.length) + 1n);
    const onDisk = fs.readdirSync(target, { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith(".txt"));
    expect(onDisk.sort(compareUtf8)).toEqual(own);
    expect(fs.readdirSync(target, { recursive: true, encoding: "utf8" }).filter((p) => p.includes(".partial"))).toEqual(
      [],
    );
  });

  it("a marker whose directory could not be made as the attempt stopped is left to the next attempt, which reports it", async () => {
    const folder = "pull-marker-stopped/";
    await seedFolder(folder);
    const target = makeTempDir("s3shift-units-pull-");
    const trackingFile = path.join(makeTempDir(), "tracking.db");
    temps.push(target, path.dirname(trackingFile));
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${folder}d0/f001/`, Body: "" }));
    writeFile(target, "d0/f001", "a file where the marker's directory would go");
    const range: KeyRange = { lower: "d0/", upper: "d1/" };
    const stop = new AbortController();
    // The stop comes as the marker is handed out, so its directory fails under a stopped job.
    class StopAtMarker extends Completions {
      override dispatched(key: string): void {
        super.dispatched(key);
        if (key === "d0/f001/") stop.abort(new Error("stopped"));
      }
    }
    const completions = new StopAtMarker();
    const stopped = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: target,
      trackingFile,
      folder,
      signal: stop.signal,
      unit: { range, completions },
    });
    expect(stopped.outcome).toBe("ABORTED");
    expect(stopped.progress.filesFailed).toBe(0n);
    const mark = completions.mark();
    const markCovers = (key: string) =>
      (mark.through !== undefined && compareUtf8(key, mark.through) <= 0) || mark.beyond.includes(key);
    expect(markCovers("d0/f001/")).toBe(false);

    const next = await runDownloadJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory: target,
      trackingFile,
      folder,
      unit: { range, completions: new Completions(mark), resumeFrom: mark },
    });
    expect(next.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(next.progress.filesFailed).toBe(1n);
    expect(next.events.filter((e) => e.type === "file-failed").map((e) => (e as { path: string }).path)).toEqual([
      "d0/f001/",
    ]);
  });
});
