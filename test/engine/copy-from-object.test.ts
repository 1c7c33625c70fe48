import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { ProxiedRequest } from "../support/s3-proxy";
import { useProxiedS3 } from "../support/proxied-s3";
import { headObject, makeTempDir, runDownloadJob, sha256Hex, writeFile } from "../support/engine-harness";
import { addEntries, editEntry, isListing, rangeListingStarts, wholeListingStarts } from "../support/listing-xml";

const BUCKET = "download-bucket";
const MiB = 1024 * 1024;
let folderSeq = 0;

const lab = useProxiedS3(BUCKET);

/**
 * Each scenario pulls its own folder into `directory`, which sits alone inside `parent`, so a
 * test can prove that nothing was written beside it.
 */
function scenario() {
  const parent = makeTempDir("s3shift-pull-");
  const directory = path.join(parent, "inside");
  fs.mkdirSync(directory);
  const folder = `pull-${++folderSeq}/`;
  const trackingFile = path.join(makeTempDir(), "tracking.db");
  const run = (extra: Partial<Parameters<typeof runDownloadJob>[0]> = {}) =>
    runDownloadJob({ endpoint: lab.proxy.endpoint, bucket: BUCKET, directory, trackingFile, folder, ...extra });
  const put = (relPath: string, body: string | Buffer, options: { sha256?: boolean; storageClass?: string } = {}) =>
    lab.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: folder + relPath,
        Body: body,
        Metadata: options.sha256 ? { sha256: sha256Hex(body) } : undefined,
      }),
    );
  const local = (relPath: string) => path.join(directory, relPath);
  return { parent, directory, folder, trackingFile, run, put, local };
}

/** GETs of object data (not listings). */
const objectGets = (requests: ProxiedRequest[] = lab.proxy.requests) =>
  requests.filter((r) => r.method === "GET" && !isListing(r.query));

/** Every path under `root` (relative), directories with a trailing "/". */
function tree(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      if (entry.isDirectory()) {
        out.push(rel + "/");
        visit(path.join(dir, entry.name), rel + "/");
      } else out.push(rel);
    }
  };
  visit(root, "");
  return out.sort();
}

const partialFiles = (root: string) => tree(root).filter((p) => p.endsWith(".partial"));

describe("copy from S3: placing a folder", () => {
  it("downloads nested keys, folder markers, Unicode names and a large ranged object, each verified, and keeps local files", async () => {
    const { directory, folder, run, put, local } = scenario();
    const big = crypto.randomBytes(21 * MiB + 123);
    await put("readme.txt", "hello world\n", { sha256: true });
    await put("docs/guide/intro.md", "# intro\n");
    await put("empty-dir/", Buffer.alloc(0));
    await put("docs/zero-bytes.txt", Buffer.alloc(0), { sha256: true });
    await put("ünïcödé/файл.json", '{"a":1}', { sha256: true });
    await put("data/big.bin", big, { sha256: true });
    writeFile(directory, "mine.txt", "a local file the bucket does not have");

    const result = await run({ rangeThreshold: 8 * MiB });

    expect(result.error).toBe("");
    expect(result.outcome).toBe("SUCCEEDED");
    expect(result.readMode).toBeNull();
    expect(fs.readFileSync(local("readme.txt"), "utf8")).toBe("hello world\n");
    expect(fs.readFileSync(local("docs/guide/intro.md"), "utf8")).toBe("# intro\n");
    expect(fs.readFileSync(local("ünïcödé/файл.json"), "utf8")).toBe('{"a":1}');
    expect(sha256Hex(fs.readFileSync(local("data/big.bin")))).toBe(sha256Hex(big));
    expect(fs.statSync(local("empty-dir")).isDirectory()).toBe(true);
    expect(fs.readdirSync(local("empty-dir"))).toEqual([]);
    expect(fs.readFileSync(local("docs/zero-bytes.txt"))).toHaveLength(0);
    expect(fs.readFileSync(local("mine.txt"), "utf8")).toBe("a local file the bucket does not have");
    expect(partialFiles(directory)).toEqual([]);

    // A file carries its object's last-modified time.
    const head = await headObject(lab.s3, BUCKET, `${folder}readme.txt`);
    expect(Math.floor(fs.statSync(local("readme.txt")).mtimeMs / 1000)).toBe(
      Math.floor(head.LastModified!.getTime() / 1000),
    );

    // The large object came as parallel ranged GETs of 5 MiB; the small ones in one GET each.
    const bigGets = objectGets().filter((r) => r.path.endsWith("data/big.bin"));
    expect(bigGets.length).toBe(5);
    expect(bigGets.every((r) => /^bytes=\d+-\d+$/.test(String(r.headers.range)))).toBe(true);
    expect(objectGets().length).toBe(5 + 4);

    expect(result.progress.totalsKnown).toBe(true);
    expect(result.progress.filesTotal).toBe(5n);
    expect(result.progress.bytesTotal).toBe(BigInt(12 + 8 + 7 + big.length));
    expect(result.progress.filesTransferred).toBe(5n);
    expect(result.progress.bytesTransferred).toBe(result.progress.bytesTotal);
  });

  it("fetches small objects by one plain signed GET each, naming the listed ETag, more at once than the job's transfers", async () => {
    const { run, put, local } = scenario();
    const bodies = Array.from({ length: 40 }, (_, i) => crypto.randomBytes(100 + i));
    for (const [i, body] of bodies.entries()) await put(`small/${i}.bin`, body);
    lab.proxy.reset();
    // Every GET of data waits 300 ms at the store: what arrives before the first answer is in flight at once.
    lab.proxy.interceptor = (r) => (r.method === "GET" && !isListing(r.query) ? { delayMs: 300 } : undefined);

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    for (const [i, body] of bodies.entries()) expect(fs.readFileSync(local(`small/${i}.bin`)).equals(body)).toBe(true);
    const gets = objectGets();
    expect(gets).toHaveLength(40);
    for (const get of gets) {
      expect(get.headers["if-match"]).toMatch(/^"[0-9a-f]{32}"$/);
      // The lean path: not the SDK's middleware, which names itself in the user agent.
      expect(String(get.headers["user-agent"] ?? "")).not.toMatch(/aws-sdk-js/);
    }
    const first = Math.min(...gets.map((g) => g.arrivedAt));
    const together = gets.filter((g) => g.arrivedAt < first + 250).length;
    // The harness runs 8 transfers and allows 16 small objects in flight.
    expect(together).toBe(16);
  });

  it("announces the totals from the listing before the first download starts", async () => {
    const { put, run } = scenario();
    for (let i = 0; i < 30; i++) await put(`f${i}.txt`, `file ${i}`);
    const order: string[] = [];
    await run({ onEvent: (event) => order.push(event.type) });
    expect(order.indexOf("totals")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("totals")).toBeLessThan(order.indexOf("bytes-moved"));
  });

  it("downloads nothing on a repeat, and only the changed object after a change", async () => {
    const { folder, run, put, local } = scenario();
    for (let i = 0; i < 12; i++) await put(`set/file-${i}.txt`, `content ${i}`, { sha256: i % 2 === 0 });
    expect((await run()).outcome).toBe("SUCCEEDED");

    lab.proxy.reset();
    const repeat = await run();
    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(objectGets()).toEqual([]);
    expect(lab.proxy.requests.length).toBe(1); // the listing
    expect(repeat.progress.filesUnchanged).toBe(12n);
    expect(repeat.progress.filesTransferred).toBe(0n);

    await put("set/file-3.txt", "new content for three");
    lab.proxy.reset();
    const afterChange = await run();
    expect(afterChange.outcome).toBe("SUCCEEDED");
    expect(objectGets().map((r) => r.path)).toEqual([`/${BUCKET}/${folder}set/file-3.txt`]);
    expect(fs.readFileSync(local("set/file-3.txt"), "utf8")).toBe("new content for three");
    expect(afterChange.progress.filesTransferred).toBe(1n);
    expect(afterChange.progress.filesUnchanged).toBe(11n);
  });

  it("restores a local file that was edited, and proves a merely touched one by its hash without a download", async () => {
    const { run, put, local } = scenario();
    await put("edited.txt", "original text", { sha256: true });
    await put("touched.txt", "touched text", { sha256: true });
    await run();
    fs.writeFileSync(local("edited.txt"), "someone changed this");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(local("touched.txt"), later, later);

    lab.proxy.reset();
    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    expect(objectGets().map((r) => r.path.split("/").pop())).toEqual(["edited.txt"]);
    expect(fs.readFileSync(local("edited.txt"), "utf8")).toBe("original text");
    expect(fs.readFileSync(local("touched.txt"), "utf8")).toBe("touched text");
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: "file-unchanged", path: "touched.txt", how: "verified-hash" }),
    );
    // The touched file got the object's time back, so the next repeat is a pure fingerprint match.
    lab.proxy.reset();
    expect((await run()).progress.filesUnchanged).toBe(2n);
    expect(objectGets()).toEqual([]);
  });

  it("adopts identical files already in the directory without downloading them (MD5 ETag or sha256 metadata)", async () => {
    const { directory, run, put } = scenario();
    await put("same-md5.txt", "identical content A");
    await put("same-sha.bin", "identical content B", { sha256: true });
    await put("different.txt", "the bucket's version");
    writeFile(directory, "same-md5.txt", "identical content A");
    writeFile(directory, "same-sha.bin", "identical content B");
    writeFile(directory, "different.txt", "a local version....");

    const result = await run();

    expect(result.outcome).toBe("SUCCEEDED");
    const adopted = result.events
      .filter((e) => e.type === "file-unchanged" && e.how === "adopted")
      .map((e) => (e as { path: string }).path);
    expect(adopted.sort()).toEqual(["same-md5.txt", "same-sha.bin"]);
    expect(objectGets().map((r) => r.path.split("/").pop())).toEqual(["different.txt"]);
    expect(fs.readFileSync(path.join(directory, "different.txt"), "utf8")).toBe("the bucket's version");
    lab.proxy.reset();
    expect((await run()).progress.filesUnchanged).toBe(3n);
    expect(objectGets()).toEqual([]);
  });
});

describe("copy from S3: keys that cannot be a path", () => {
  const shapes: Array<[string, string]> = [
    ["a//b", '"//"'],
    ["/lead", 'starts with "/"'],
    ["./x", '"." or ".."'],
    ["x/./y", '"." or ".."'],
    ["x/..", '"." or ".."'],
    ["../escape.txt", '"." or ".."'],
    ["a/../../escape.txt", '"." or ".."'],
    [".snapshot/x", '".snapshot"'],
    ["d/.snapshot/y", '".snapshot"'],
    [`${"n".repeat(256)}/x`, "longer than 255 bytes"],
  ];

  it.each(shapes)("refuses the key %j, naming it, and writes nothing", async (bad, why) => {
    const { parent, directory, folder, run, put } = scenario();
    await put("fine.txt", "fine");
    // A real object where a path escaping the directory would land, had the key been followed.
    await lab.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "escape.txt", Body: "outside" }));
    lab.proxy.rewriter = (request, body) =>
      isListing(request.query) ? addEntries(body, [{ key: folder + bad, size: 4 }]) : undefined;

    const result = await run();

    expect(result.outcome).toBe("FAILED");
    expect(result.error).toContain(`the key "${folder}${bad}"`);
    expect(result.error).toContain(why);
    expect(result.error).toContain("Nothing was downloaded.");
    expect(result.events).toContainEqual(expect.objectContaining({ type: "file-failed", path: bad }));
    expect(objectGets()).toEqual([]);
    expect(tree(directory)).toEqual([]);
    expect(fs.readdirSync(parent)).toEqual(["inside"]);
  });

  it('refuses a non-empty object whose key ends with "/" (a real object in the store)', async () => {
    const { directory, folder, run, put } = scenario();
    await put("fine.txt", "fine");
    await put("dir/", "data");
    const result = await run();
    expect(result.outcome).toBe("FAILED");
    expect(result.error).toContain(`the key "${folder}dir/" ends with "/" yet holds 4 bytes`);
    expect(tree(directory)).toEqual([]);
  });

  it("refuses keys that would have to be both a file and a directory, naming both", async () => {
    const { directory, folder, run, put } = scenario();
    await put("a/b", "a file");
    await put("a/b/c", "inside it");
    await put("m/n", "another file");
    await put("m/n/", Buffer.alloc(0));
    await put("a/b!", "a sibling that sorts between them");
    const result = await run();
    expect(result.outcome).toBe("FAILED");
    expect(result.error).toContain(`the key "${folder}a/b" is a file, yet "${folder}a/b/c" needs it to be a directory`);
    expect(result.error).toContain("and 1 more key");
    const failed = result.events.filter((e) => e.type === "file-failed").map((e) => (e as { message: string }).message);
    expect(failed).toContainEqual(`the key "${folder}m/n" is a file, yet "${folder}m/n/" needs it to be a directory`);
    expect(tree(directory)).toEqual([]);
  });

  it("refuses objects in archival storage classes, naming each", async () => {
    const { directory, folder, run, put } = scenario();
    await put("cold/old.tar", "frozen");
    await put("cold/older.tar", "deeper");
    await put("warm.txt", "fine");
    lab.proxy.rewriter = (request, body) =>
      isListing(request.query)
        ? editEntry(editEntry(body, `${folder}cold/old.tar`, { storageClass: "GLACIER" }), `${folder}cold/older.tar`, {
            storageClass: "DEEP_ARCHIVE",
          })
        : undefined;
    const result = await run();
    expect(result.outcome).toBe("FAILED");
    expect(result.error).toContain(
      `the key "${folder}cold/old.tar" is in the archival storage class GLACIER; restore it before copying`,
    );
    const failed = result.events.filter((e) => e.type === "file-failed").map((e) => (e as { message: string }).message);
    expect(failed).toContainEqual(
      `the key "${folder}cold/older.tar" is in the archival storage class DEEP_ARCHIVE; restore it before copying`,
    );
    expect(objectGets()).toEqual([]);
    expect(tree(directory)).toEqual([]);
  });

  it("places look-alike keys (percent-encoded, Unicode dots, backslashes) literally, inside the directory", async () => {
    const { parent, directory, run, put, local } = scenario();
    const names = [
      "%2e%2e/p.txt",
      "%2E%2E%2Fq.txt",
      "．．/u.txt",
      "‥/v.txt",
      "..\\w.txt",
      "...",
      "..a/b.txt",
      "a../c.txt",
    ];
    for (const name of names) await put(name, `literal ${name}`);
    const result = await run();
    expect(result.error).toBe("");
    for (const name of names) expect(fs.readFileSync(local(name), "utf8")).toBe(`literal ${name}`);
    expect(fs.readdirSync(parent)).toEqual(["inside"]);
    expect(
      tree(directory)
        .filter((p) => !p.endsWith("/"))
        .sort(),
    ).toEqual([...names].sort());
  });
});

describe("copy from S3: what is already on disk", () => {
  it("fails the job naming each local path that cannot take a file, downloads the rest, and deletes nothing", async () => {
    const { parent, directory, run, put, local } = scenario();
    const outside = path.join(parent, "outside-target");
    fs.mkdirSync(outside);
    for (const name of ["is-a-dir", "linked", "symlinked", "through-link/f.txt", "fine.txt"])
      await put(name, `object ${name}`);
    fs.mkdirSync(local("is-a-dir"));
    writeFile(directory, "linked", "two names");
    fs.linkSync(local("linked"), local("second-name"));
    fs.symlinkSync(path.join(outside, "target.txt"), local("symlinked"));
    fs.symlinkSync(outside, local("through-link"));

    const result = await run();

    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(result.error).toMatch(/^4 objects could not be copied: /);
    const messages = Object.fromEntries(
      result.events
        .filter((e) => e.type === "file-failed")
        .map((e) => [(e as { path: string }).path, (e as { message: string }).message]),
    );
    expect(messages["is-a-dir"]).toBe('"is-a-dir" exists and is not a regular file (a directory)');
    expect(messages["linked"]).toBe('"linked" has 2 hard links; replacing it would split them');
    expect(messages["symlinked"]).toBe('"symlinked" exists and is not a regular file (a symbolic link)');
    expect(messages["through-link/f.txt"]).toBe('"through-link" is a symbolic link; nothing is written through links');
    expect(fs.readFileSync(local("fine.txt"), "utf8")).toBe("object fine.txt");
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.readFileSync(local("second-name"), "utf8")).toBe("two names");
    expect(fs.readlinkSync(local("symlinked"))).toBe(path.join(outside, "target.txt"));
    expect(partialFiles(directory)).toEqual([]);
  });

  it("treats an object that vanished, changed or was archived after the listing as a per-key error", async () => {
    const { directory, folder, run, put, local } = scenario();
    await put("vanishing.txt", "here at listing time");
    await put("changing.txt", "version one");
    await put("steady.txt", "steady");
    await put("archived.txt", "moved to an archive tier after the listing");
    lab.proxy.interceptor = (request) => {
      if (request.method !== "GET") return undefined;
      if (request.path.endsWith("/vanishing.txt"))
        return {
          status: 404,
          body: "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
        };
      if (request.path.endsWith("/archived.txt"))
        return {
          status: 403,
          body: "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message></Error>",
        };
      return undefined;
    };
    // The listing describes an older version of changing.txt than the store now serves.
    lab.proxy.rewriter = (request, body) =>
      isListing(request.query)
        ? editEntry(body, `${folder}changing.txt`, { etag: "ffffffffffffffffffffffffffffffff" })
        : undefined;

    const result = await run();

    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    const messages = Object.fromEntries(
      result.events
        .filter((e) => e.type === "file-failed")
        .map((e) => [(e as { path: string }).path, (e as { message: string }).message]),
    );
    expect(messages["vanishing.txt"]).toBe("the object vanished from the bucket during the job");
    expect(messages["changing.txt"]).toMatch(/^the object changed during the job \(its ETag is now [0-9a-f]{32}\)$/);
    expect(messages["archived.txt"]).toBe(
      "the object is archived and must be restored before it can be copied (InvalidObjectState)",
    );
    expect(result.error).toMatch(/^3 objects could not be copied: /);
    expect(fs.readFileSync(local("steady.txt"), "utf8")).toBe("steady");
    expect(fs.existsSync(local("vanishing.txt"))).toBe(false);
    expect(fs.existsSync(local("changing.txt"))).toBe(false);
    expect(partialFiles(directory)).toEqual([]);
  });

  it("refuses bytes that do not match the object's sha256 metadata and leaves no file behind", async () => {
    const { directory, run, put, local } = scenario();
    await put("guarded.txt", "the true content", { sha256: true });
    await put("md5-guarded.txt", "content under an MD5 ETag");
    lab.proxy.rewriter = (request, body) =>
      request.method === "GET" && !isListing(request.query)
        ? body.replace("true", "TRUE").replace("MD5", "md5")
        : undefined;

    const result = await run();

    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    const messages = result.events
      .filter((e) => e.type === "file-failed")
      .map((e) => (e as { message: string }).message);
    expect(messages.sort()).toEqual([
      "the downloaded bytes do not match the object's ETag (MD5)",
      "the downloaded bytes do not match the object's sha256 metadata",
    ]);
    expect(fs.existsSync(local("guarded.txt"))).toBe(false);
    expect(fs.existsSync(local("md5-guarded.txt"))).toBe(false);
    expect(partialFiles(directory)).toEqual([]);
  });

  it("stops mid-download, leaving no partial file and no target", async () => {
    const { directory, run, put, local } = scenario();
    await put("slow/big.bin", crypto.randomBytes(12 * MiB));
    lab.proxy.interceptor = (request) =>
      request.method === "GET" && !isListing(request.query) ? { delayMs: 400 } : undefined;
    const stop = new AbortController();
    let sawPartial = false;
    const timer = setInterval(() => {
      if (partialFiles(directory).length > 0) {
        sawPartial = true;
        stop.abort();
      }
    }, 20);

    const result = await run({ signal: stop.signal, rangeThreshold: 6 * MiB });
    clearInterval(timer);

    expect(sawPartial).toBe(true);
    expect(result.outcome).toBe("ABORTED");
    expect(partialFiles(directory)).toEqual([]);
    expect(fs.existsSync(local("slow/big.bin"))).toBe(false);
  });
});

describe("copy from S3: a repeat of a large folder, listed as parallel ranges", () => {
  const rangeStarts = () => rangeListingStarts(lab.proxy.requests);
  const wholeStarts = () => wholeListingStarts(lab.proxy.requests);

  it("cuts the ranges where the tracked paths are, and fetches nothing", async () => {
    const { run, put } = scenario();
    for (let i = 0; i < 45; i++) await put(`d${i % 3}/f${String(i).padStart(2, "0")}.txt`, `file ${i}`);
    expect((await run({ listingRangeFiles: 10 })).outcome).toBe("SUCCEEDED");
    lab.proxy.reset();

    const repeat = await run({ listingRangeFiles: 10 });

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(repeat.events.filter((e) => e.type === "file-unchanged")).toHaveLength(45);
    expect(objectGets()).toHaveLength(0);
    // 45 tracked files at 10 per range: 4 ranges, 3 of them starting after a tracked path.
    expect(rangeStarts()).toBe(3);
    expect(wholeStarts()).toBe(1);
  });

  it("lists the folder again, whole, on a store that does not list in key order, and still fetches nothing", async () => {
    const { run, put } = scenario();
    // s3rver walks the directory "a" before it lists "a.txt", which S3 lists first ("." before "/").
    for (const name of ["a.txt", "a/b", ...Array.from({ length: 30 }, (_, i) => `f${i}`)]) await put(name, name);
    expect((await run({ listingRangeFiles: 10 })).outcome).toBe("SUCCEEDED");
    lab.proxy.reset();

    const repeat = await run({ listingRangeFiles: 10 });

    expect(repeat.outcome).toBe("SUCCEEDED");
    expect(repeat.events.filter((e) => e.type === "file-unchanged")).toHaveLength(32);
    expect(objectGets()).toHaveLength(0);
    expect(rangeStarts()).toBeGreaterThan(0);
    expect(wholeStarts()).toBe(2);
  });
});
