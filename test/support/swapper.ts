import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * A process that keeps exchanging each of `directories` with a symbolic link to one of `targets`
 * (in turn) and back, as fast as it can, the way a hostile file-share client would. It runs in a
 * process of its own so that the job's synchronous calls cannot hold it back.
 */
export class Swapper {
  private readonly child: ChildProcess;
  private readonly countFile: string;

  constructor(directories: string[], targets: string[]) {
    this.countFile = path.join(path.dirname(directories[0]!), `.swaps-${crypto.randomUUID()}`);
    const script = `
      const fs = require("fs");
      const dirs = ${JSON.stringify(directories)};
      const targets = ${JSON.stringify(targets)};
      let swaps = 0;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      let stopping = false;
      process.on("SIGTERM", () => { stopping = true; });
      (async () => {
        for (let i = 0; !stopping; i++) {
          for (const dir of dirs) {
            const aside = dir + ".aside";
            try {
              fs.renameSync(dir, aside);
              fs.symlinkSync(targets[i % targets.length], dir);
              swaps++;
              // The link stays long enough (2 ms of every 3) that the jobs' opens meet it, not only the directory.
              Atomics.wait(pause, 0, 0, 2);
              fs.unlinkSync(dir);
              fs.renameSync(aside, dir);
              Atomics.wait(pause, 0, 0, 1);
            } catch {}
          }
          if (i % 20 === 0) { fs.writeFileSync(${JSON.stringify(this.countFile)}, String(swaps)); await new Promise((r) => setImmediate(r)); }
        }
        // Leave every directory in place, whatever the last swap was doing.
        for (const dir of dirs) {
          try { if (fs.lstatSync(dir).isSymbolicLink()) fs.unlinkSync(dir); } catch {}
          try { fs.renameSync(dir + ".aside", dir); } catch {}
        }
        fs.writeFileSync(${JSON.stringify(this.countFile)}, String(swaps));
        process.exit(0);
      })();
    `;
    this.child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  }

  /** Stops the swapping, restores the directories, and returns how many swaps were made. */
  async stop(): Promise<number> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
    const swaps = Number(fs.readFileSync(this.countFile, "utf8"));
    fs.rmSync(this.countFile, { force: true });
    return swaps;
  }
}

/** Every entry below `root` with its kind, size, times and content digest: what must not change. */
export function manifest(root: string): string[] {
  const lines: string[] = [];
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const stat = fs.lstatSync(file, { bigint: true });
      const rel = path.relative(root, file);
      if (stat.isDirectory()) {
        lines.push(`d ${rel} ${stat.mtimeNs}`);
        visit(file);
      } else if (stat.isFile()) {
        const digest = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
        lines.push(`f ${rel} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs} ${digest}`);
      } else {
        lines.push(`o ${rel} ${stat.mtimeNs}`);
      }
    }
  };
  visit(root);
  return lines;
}
