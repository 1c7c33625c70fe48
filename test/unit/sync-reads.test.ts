import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SyncReads, UnstableFileError, type LocalFile } from "@/lib/engine/read-file";
import { TreeHandle } from "@/lib/fs/beneath";

const inTree = (dir: string, name: string): LocalFile => ({ tree: TreeHandle.open(dir), relPath: name });

describe("synchronous reads of small files", () => {
  it("are used on a local file system, and return the bytes with the stat that describes them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-sync-"));
    const file = path.join(dir, "f.txt");
    fs.writeFileSync(file, "hello");
    const reads = new SyncReads(TreeHandle.open(dir));
    expect(reads.enabled).toBe(true);
    const { value, stat } = reads.readSmall(inTree(dir, path.basename(file)), { stableRead: true, attempts: 3 });
    expect(value.toString()).toBe("hello");
    expect(stat.size).toBe(5n);
    expect(stat.ino).toBe(fs.statSync(file, { bigint: true }).ino);
  });

  it("take the walk's lstat as the version before the read, and read again when the file changed since", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-sync-"));
    const file = path.join(dir, "f.txt");
    fs.writeFileSync(file, "first");
    const reads = new SyncReads(TreeHandle.open(dir));
    const walked = fs.lstatSync(file, { bigint: true });

    const same = reads.readSmall(inTree(dir, path.basename(file)), { stableRead: true, attempts: 3 }, walked);
    expect(same.value.toString()).toBe("first");
    expect(same.stat.ino).toBe(walked.ino);
    expect(same.stat.mtimeNs).toBe(walked.mtimeNs);

    // Replaced at its path (a new inode, a longer content) after the walk saw it.
    const next = path.join(dir, "next.txt");
    fs.writeFileSync(next, "second version");
    fs.renameSync(next, file);
    const rereads: number[] = [];
    const changed = reads.readSmall(
      inTree(dir, path.basename(file)),
      { stableRead: true, attempts: 3, onReread: (attempt) => rereads.push(attempt) },
      walked,
    );
    expect(changed.value.toString()).toBe("second version");
    expect(changed.stat.ino).toBe(fs.statSync(file, { bigint: true }).ino);
    expect(changed.stat.size).toBe(14n);
    expect(rereads).toEqual([1]);
  });

  it("are not used on a file system that is not known to be local", () => {
    expect(new SyncReads(TreeHandle.open("/sys/kernel")).enabled).toBe(false);
  });

  it("never return a torn version of a file that another process keeps rewriting", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-sync-"));
    const file = path.join(dir, "moving.txt");
    fs.writeFileSync(file, "a".repeat(200_000));
    // Rewrites in place (truncate, then write) as fast as it can, alternating two contents.
    const writer = spawn(process.execPath, [
      "-e",
      `const fs=require("fs");for(let i=0;;i++)fs.writeFileSync(${JSON.stringify(file)},(i%2?"b":"c").repeat(200000))`,
    ]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const reads = new SyncReads(TreeHandle.open(dir));
      let consistent = 0;
      let unstable = 0;
      for (let i = 0; i < 300; i++) {
        try {
          // Every other read starts from an lstat taken just before, as the walk's would be.
          const walked = i % 2 ? fs.lstatSync(file, { bigint: true }) : undefined;
          const { value, stat } = reads.readSmall(
            inTree(dir, path.basename(file)),
            { stableRead: true, attempts: 3 },
            walked,
          );
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
