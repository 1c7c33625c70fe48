import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { EngineEvent } from "@/lib/engine/events";
import { useProxiedS3 } from "../support/proxied-s3";
import { manifest, Swapper } from "../support/swapper";
import { listKeys, makeTempDir, readObject, runCopyJob, runDownloadJob, writeFile } from "../support/engine-harness";

const BUCKET = "swap-bucket";
const lab = useProxiedS3(BUCKET);

const DIRS = ["d0", "d1", "d2", "d3", "d4/deep"];
/** The directories swapped for links while the jobs run: at the top and one level down. */
const SWAPPED = ["d1", "d3", "d4/deep"];
const FILES = 40;
const ITERATIONS = 6;
/** A push's walk opens each directory once, in a few milliseconds: more jobs, so that the swaps surely meet some. */
const PUSH_ITERATIONS = 20;
const SWAP_REFUSAL = /^"[^"]+" changed into a symbolic link during the job; not followed$/;

/**
 * A namespace with the relationship's directory, another relationship's directory and, beside the
 * namespace, a directory outside it. Both others hold files of the same names as the relationship's,
 * so a link followed anywhere would find something to read or overwrite.
 */
function layout() {
  const base = makeTempDir("s3shift-swap-");
  const outside = path.join(base, "outside");
  const other = path.join(base, "ns", "other");
  const rel = path.join(base, "ns", "rel");
  for (const [root, marker] of [
    [outside, "OUTSIDE-SECRET"],
    [other, "OTHER-RELATIONSHIP"],
  ] as const) {
    for (let j = 0; j < FILES; j++) writeFile(root, `f${j}.txt`, `${marker} f${j}\n`);
    writeFile(root, "deep/f0.txt", `${marker} deep\n`);
  }
  fs.mkdirSync(rel, { recursive: true });
  return { base, outside, other, rel };
}

function failures(events: EngineEvent[]) {
  return events.flatMap((e) => (e.type === "file-failed" ? [{ path: e.path, message: e.message }] : []));
}

/** What a swap may legitimately cost a job: a refused link, or a directory caught while moved aside. */
function expectOnlySwapFailures(events: EngineEvent[]) {
  for (const failure of failures(events)) {
    expect(failure.message, failure.path).toMatch(
      new RegExp(
        `${SWAP_REFUSAL.source}|^cannot read directory: ENOENT$|^ENOENT: cannot \\w+ the file$|^"[^"]+" is no longer a directory$`,
      ),
    );
  }
}

describe("a directory swapped for a symbolic link during a copy to S3", () => {
  it("never uploads what lies behind the link, and names the paths it refused", async () => {
    const { outside, other, rel } = layout();
    for (const dir of DIRS) {
      for (let j = 0; j < FILES; j++) writeFile(rel, `${dir}/f${j}.txt`, `INSIDE ${dir} f${j}\n`);
    }
    // Read through the other paths as well: asynchronously (over 256 KiB) and as a multipart upload.
    writeFile(rel, "d1/f0.txt", Buffer.alloc(300 * 1024, "I"));
    writeFile(rel, "d3/f0.txt", Buffer.alloc(6 * 1024 * 1024, "I"));
    fs.writeFileSync(path.join(outside, "f0.txt"), Buffer.alloc(6 * 1024 * 1024, "O"));
    const outsideBefore = manifest(outside);

    const swapper = new Swapper(
      SWAPPED.map((d) => path.join(rel, d)),
      [outside, other],
    );
    let refused = 0;
    let linksSeen = 0;
    try {
      for (let i = 0; i < PUSH_ITERATIONS; i++) {
        const folder = `push-${i}/`;
        const result = await runCopyJob({
          endpoint: lab.proxy.endpoint,
          bucket: BUCKET,
          directory: rel,
          folder,
          trackingFile: path.join(makeTempDir(), "t.db"),
          multipartThreshold: 1024 * 1024,
        });
        expectOnlySwapFailures(result.events);
        refused += failures(result.events).filter((f) => SWAP_REFUSAL.test(f.message)).length;
        linksSeen += result.events.filter((e) => e.type === "file-skipped" && e.reason === "symlink").length;
        for (const key of await listKeys(lab.s3, BUCKET, folder)) {
          const body = (await readObject(lab.s3, BUCKET, key)).body;
          expect(body.includes("OUTSIDE"), key).toBe(false);
          expect(body.includes("OTHER-RELATIONSHIP"), key).toBe(false);
          expect(body.includes("O".repeat(64)), key).toBe(false);
        }
      }
    } finally {
      const swaps = await swapper.stop();
      expect(swaps).toBeGreaterThan(100);
    }
    // The race was met: some directories were refused as links at the moment of use, or seen as links.
    expect(refused + linksSeen, `${refused} refused, ${linksSeen} seen as links`).toBeGreaterThan(0);
    expect(manifest(outside)).toEqual(outsideBefore);
  });
});

describe("a directory swapped for a symbolic link during a copy from S3", () => {
  it("never writes through the link: outside the namespace and another relationship's directory stay as they were", async () => {
    const { outside, other, rel } = layout();
    for (const dir of DIRS) fs.mkdirSync(path.join(rel, dir), { recursive: true });
    const outsideBefore = manifest(outside);
    const otherBefore = manifest(other);

    const swapper = new Swapper(
      SWAPPED.map((d) => path.join(rel, d)),
      [outside, other],
    );
    let refused = 0;
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        // New content at the same keys each time, so that every job replaces every file.
        const folder = "pull-src/";
        await Promise.all(
          DIRS.flatMap((dir) =>
            Array.from({ length: FILES }, (_, j) =>
              lab.s3.send(
                new PutObjectCommand({
                  Bucket: BUCKET,
                  Key: `${folder}${dir}/f${j}.txt`,
                  Body: `PULLED ${i} ${dir} f${j}\n`,
                }),
              ),
            ),
          ),
        );
        const result = await runDownloadJob({
          endpoint: lab.proxy.endpoint,
          bucket: BUCKET,
          directory: rel,
          folder,
          trackingFile: path.join(makeTempDir(), "t.db"),
        });
        for (const failure of failures(result.events)) {
          expect(failure.message, failure.path).toMatch(
            new RegExp(
              `${SWAP_REFUSAL.source}|^"[^"]+" is a symbolic link; nothing is written through links$|^"[^"]+" exists and is not a directory$|^"[^"]+" is no longer a directory$|^ENOENT: cannot \\w+ the file$`,
            ),
          );
        }
        refused += failures(result.events).filter(
          (f) => SWAP_REFUSAL.test(f.message) || /symbolic link/.test(f.message),
        ).length;
      }
    } finally {
      const swaps = await swapper.stop();
      expect(swaps).toBeGreaterThan(100);
    }
    expect(refused).toBeGreaterThan(0);
    expect(manifest(outside)).toEqual(outsideBefore);
    expect(manifest(other)).toEqual(otherBefore);
    // What did land is inside, where it belongs.
    expect(fs.readFileSync(path.join(rel, "d0/f0.txt"), "utf8")).toBe(`PULLED ${ITERATIONS - 1} d0 f0\n`);
  });
});

describe("the relationship's directory itself replaced", () => {
  const replacements = {
    "by another directory": (rel: string) => fs.mkdirSync(rel),
    "by a symbolic link to another relationship's directory": (rel: string, other: string) =>
      fs.symlinkSync(other, rel),
  };

  for (const [how, replace] of Object.entries(replacements)) {
    it(`${how} is refused by a copy to S3 before anything is read`, async () => {
      const { other, rel } = layout();
      writeFile(rel, "mine.txt", "mine\n");
      const ino = fs.statSync(rel, { bigint: true }).ino;
      fs.renameSync(rel, `${rel}.old`);
      replace(rel, other);
      lab.proxy.reset();

      const job = runCopyJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: rel,
        directoryIno: ino,
        folder: "replaced-push/",
        trackingFile: path.join(makeTempDir(), "t.db"),
      });

      await expect(job).rejects.toThrow(
        how.startsWith("by another")
          ? new RegExp(
              `^The local directory ${escape(rel)} was replaced: it is now inode \\d+, and the relationship was made for inode ${ino} \\(local_directory_id\\)\\. Nothing was read or written`,
            )
          : new RegExp(
              `^The local directory ${escape(rel)} was replaced: "rel" on its path is now a symbolic link; not followed\\. Nothing was read or written\\.$`,
            ),
      );
      expect(lab.proxy.requests).toEqual([]);
    });

    it(`${how} is refused by a copy from S3 before anything is written`, async () => {
      const { other, rel } = layout();
      const ino = fs.statSync(rel, { bigint: true }).ino;
      await lab.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: "replaced-pull/f0.txt", Body: "from the bucket\n" }),
      );
      fs.renameSync(rel, `${rel}.old`);
      replace(rel, other);
      const otherBefore = manifest(other);

      const job = runDownloadJob({
        endpoint: lab.proxy.endpoint,
        bucket: BUCKET,
        directory: rel,
        directoryIno: ino,
        folder: "replaced-pull/",
        trackingFile: path.join(makeTempDir(), "t.db"),
      });

      await expect(job).rejects.toThrow(/^The local directory .* was replaced: .*Nothing was read or written/);
      expect(manifest(other)).toEqual(otherBefore);
      expect(fs.readdirSync(`${rel}.old`)).toEqual([]);
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
