import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SyncReads, UnstableFileError } from "@/lib/engine/read-file";

describe("synchronous reads of small files", () => {
  it("are used on a local file system, and return the bytes with the stat that describes them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-sync-"));
    const file = path.join(dir, "f.txt");
    fs.writeFileSync(file, "hello");
    const reads = new SyncReads(dir);
    expect(reads.enabled).toBe(true);
    const { value, stat } = reads.readSmall(file, { stableRead: true, attempts: 3 });
    expect(value.toString()).toBe("hello");
    expect(stat.size).toBe(5n);
    expect(stat.ino).toBe(fs.statSync(file, { bigint: true }).ino);
  });

  it("are not used where the root cannot be examined", () => {
    expect(new SyncReads("/no/such/directory").enabled).toBe(false);
  });

  it("never return a torn version of a file that another process keeps rewriting", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-sync-"));
    const file = path.join(dir, "moving.txt");
    fs.writeFileSync(file, "a".repeat(200_000));
    // Rewrites in place (truncate, then write) as fast as it can, alternating two contents.
    const writer = spawn(process.execPath, ["-e", `const fs=require("fs");for(let i=0;;i++)fs.writeFileSync(${JSON.stringify(file)},(i%2?"b":"c").repeat(200000))`]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const reads = new SyncReads(dir);
      let consistent = 0;
      let unstable = 0;
      for (let i = 0; i < 300; i++) {
        try {
          const { value, stat } = reads.readSmall(file, { stableRead: true, attempts: 3 });
          expect(value.length).toBe(Number(stat.size));
          if (value.length > 0) expect(value.toString().replaceAll(value.toString()[0]!, "")).toBe("");
          consistent++;
        } catch (error) {
          expect(error).toBeInstanceOf(UnstableFileError);
          unstable++;
        }
      }
      expect(consistent + unstable).toBe(300);
    } finally {
      writer.kill();
    }
  });
});
