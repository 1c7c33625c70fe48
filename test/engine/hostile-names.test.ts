import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeKey } from "@/lib/engine/key-path";
import { addEntries, isListing } from "../support/listing-xml";
import { useProxiedS3 } from "../support/proxied-s3";
import { listKeys, makeTempDir, readObject, runCopyJob, runDownloadJob, sha256Hex } from "../support/engine-harness";

const BUCKET = "hostile-bucket";
const lab = useProxiedS3(BUCKET);

/** Pieces that hostile keys and names are made of: separators, dots, encodings, look-alikes, controls. */
const KEY_PIECES = [
  "a",
  "b",
  "/",
  ".",
  "..",
  "%2e",
  "%2F",
  "\\",
  "．",
  "\u2025",
  " ",
  "é",
  "e\u0301",
  "\uFFFD",
  "\n",
  "\u0000",
  ".snapshot",
  "~",
];
const hostileKey = fc
  .array(fc.constantFrom(...KEY_PIECES), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(""));

describe("keys from a hostile alphabet", () => {
  it("are placed, if at all, as plain names one below the other (10,000 generated keys)", () => {
    fc.assert(
      fc.property(hostileKey, fc.constantFrom(0n, 3n), (relPath, size) => {
        const placement = placeKey({ relPath, size, etag: "e" });
        if (placement.kind !== "file" && placement.kind !== "directory") return;
        // The tree's handles open one such name at a time below the root; none can climb or jump.
        for (const name of placement.relPath.split("/")) {
          expect(["", ".", ".."]).not.toContain(name);
          expect(name).not.toContain("\0");
        }
        expect(path.isAbsolute(placement.relPath)).toBe(false);
      }),
      { numRuns: 10_000 },
    );
  });

  it("in a listing make a pull either copy into the directory or fail naming a key, and never write beside it", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(hostileKey, { minLength: 1, maxLength: 6 }), async (keys) => {
        const folder = `listed-${++run}/`;
        const parent = makeTempDir("s3shift-hostile-");
        const directory = path.join(parent, "inside");
        fs.mkdirSync(directory);
        lab.proxy.rewriter = (request, body) =>
          isListing(request.query)
            ? addEntries(
                body,
                keys.map((key) => ({ key: folder + key, size: 0 })),
              )
            : undefined;
        const result = await runDownloadJob({
          endpoint: lab.proxy.endpoint,
          bucket: BUCKET,
          directory,
          folder,
          trackingFile: path.join(makeTempDir(), "t.db"),
        });
        expect(["SUCCEEDED", "FAILED", "COMPLETED_WITH_ERRORS"]).toContain(result.outcome);
        if (result.outcome !== "SUCCEEDED") expect(result.error).toMatch(/key|object/);
        expect(fs.readdirSync(parent)).toEqual(["inside"]);
        expect(
          (fs.readdirSync(directory, { recursive: true }) as string[]).filter((p) => p.endsWith(".partial")),
        ).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe("local names from a hostile alphabet", () => {
  const NAME_PIECES = [
    "a",
    "B",
    " ",
    "\t",
    "\u0001",
    "\u001f",
    "\u007f",
    "\\",
    "%",
    "é",
    "e\u0301",
    "Å",
    "A\u030a",
    "💾",
    "\uFEFF",
    ":",
    "*",
    "?",
  ];
  const hostileName = fc
    .array(fc.constantFrom(...NAME_PIECES), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join(""))
    .filter((name) => name !== "." && name !== "..");

  it("are copied to keys holding exactly those names, or reported; names that differ only in normalisation stay distinct", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(hostileName, { minLength: 1, maxLength: 8 }), async (names) => {
        const folder = `names-${++run}/`;
        const directory = makeTempDir("s3shift-names-");
        for (const name of names) fs.writeFileSync(path.join(directory, name), `content of ${JSON.stringify(name)}`);
        // Two names for "é" (NFC and NFD) and a 230-byte name, every time (s3rver keeps each object
        // in files named after the key plus up to 22 bytes, so 255 would exceed the test store's own limit).
        fs.writeFileSync(path.join(directory, "caf\u00e9"), "nfc");
        fs.writeFileSync(path.join(directory, "cafe\u0301"), "nfd");
        fs.writeFileSync(path.join(directory, "L".repeat(230)), "long");
        const result = await runCopyJob({
          endpoint: lab.proxy.endpoint,
          bucket: BUCKET,
          directory,
          folder,
          trackingFile: path.join(makeTempDir(), "t.db"),
        });
        expect(result.error).toBe("");
        const expected = [...names, "caf\u00e9", "cafe\u0301", "L".repeat(230)];
        expect((await listKeys(lab.s3, BUCKET, folder)).sort()).toEqual(expected.map((n) => folder + n).sort());
        expect((await readObject(lab.s3, BUCKET, `${folder}cafe\u0301`)).body.toString()).toBe("nfd");
        for (const name of names) {
          expect(sha256Hex((await readObject(lab.s3, BUCKET, folder + name)).body)).toBe(
            sha256Hex(`content of ${JSON.stringify(name)}`),
          );
        }
      }),
      { numRuns: 12 },
    );
  });

  it("reports a name that is not valid UTF-8 with its bytes instead of losing it silently, and copies the rest", async () => {
    const directory = makeTempDir("s3shift-badname-");
    fs.writeFileSync(
      Buffer.concat([Buffer.from(directory + "/bad-"), Buffer.from([0xff, 0xfe]), Buffer.from(".txt")]),
      "unreachable by name",
    );
    fs.writeFileSync(path.join(directory, "good.txt"), "good");
    const result = await runCopyJob({
      endpoint: lab.proxy.endpoint,
      bucket: BUCKET,
      directory,
      folder: "badname/",
      trackingFile: path.join(makeTempDir(), "t.db"),
    });
    expect(result.outcome).toBe("COMPLETED_WITH_ERRORS");
    expect(result.error).toBe('1 file could not be copied: "bad-\uFFFD\uFFFD.txt" (see the job\'s file errors).');
    const failure = result.events.find((e) => e.type === "file-failed") as { message: string } | undefined;
    expect(failure?.message).toBe(
      "the name is not valid UTF-8 (bytes 62 61 64 2d ff fe 2e 74 78 74), and S3 keys must be; rename it to copy it",
    );
    expect(await listKeys(lab.s3, BUCKET, "badname/")).toEqual(["badname/good.txt"]);
  });
});
