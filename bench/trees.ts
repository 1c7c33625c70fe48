// The trees the benchmarks copy, the same for bench/run.ts, bench/scale.ts and bench/peers.ts.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The path of small file `i`: 100 directories, d00 to d99. */
export const smallFilePath = (i: number) => `d${String(i % 100).padStart(2, "0")}/f${i}.bin`;

/** `files` files of 4 KiB of random bytes. */
export function makeSmallTree(dir: string, files: number): void {
  for (let i = 0; i < files; i++) {
    if (i < 100) fs.mkdirSync(path.join(dir, path.dirname(smallFilePath(i))), { recursive: true });
    fs.writeFileSync(path.join(dir, smallFilePath(i)), crypto.randomBytes(4096));
  }
}

/** 8 files of `mib` MiB, each MiB made distinct. */
export function makeLargeTree(dir: string, mib: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const chunk = crypto.randomBytes(1024 * 1024);
  for (let i = 0; i < 8; i++) {
    const fd = fs.openSync(path.join(dir, `large${i}.bin`), "w");
    for (let m = 0; m < mib; m++) {
      chunk.writeUInt32LE(i * 100000 + m, 0);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
  }
}

/** `entries` tiny files (each holds its number), 1,000 to a directory: the tree for scale. */
export function makeScaleTree(dir: string, entries: number): void {
  for (let i = 0; i < entries; i++) {
    const sub = path.join(dir, `dir${String(Math.floor(i / 1000)).padStart(4, "0")}`);
    if (i % 1000 === 0) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `file-${i}.dat`), String(i));
  }
}
