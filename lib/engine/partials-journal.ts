import fs from "node:fs";
import path from "node:path";
import { fdPath, type TreeHandle } from "@/lib/fs/beneath";

const PARTIAL_NAME = /^\.s3shift-[0-9a-f]+-\d+\.partial$/;

/**
 * Remembers, outside the directory, every directory in which a copy-from-S3 job has created a
 * temporary file. A job that ends in any way removes its own; one whose process was killed
 * cannot, so the next job of the relationship sweeps the directories listed here first.
 */
export class PartialsJournal {
  private readonly noted = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly tree: TreeHandle,
  ) {}

  /** Deletes the temporary files a job that never finished left behind; returns how many. */
  async sweepLeftovers(): Promise<number> {
    let listed: string;
    try {
      listed = await fs.promises.readFile(this.file, "utf8");
    } catch {
      return 0;
    }
    let removed = 0;
    // Each line is "/" + the directory relative to the root ("/" alone is the root itself).
    for (const line of new Set(listed.split("\n").filter((l) => l.startsWith("/")))) {
      const relDir = line.slice(1);
      let fd: number;
      try {
        // Reached through the tree's handles: a noted directory since swapped for a link is passed over.
        fd = this.tree.acquire(relDir);
      } catch {
        continue;
      }
      try {
        const names = await fs.promises.readdir(fdPath(fd)).catch(() => [] as string[]);
        for (const name of names.filter((n) => PARTIAL_NAME.test(n))) {
          await fs.promises.rm(fdPath(fd, name), { force: true });
          removed++;
        }
      } finally {
        this.tree.release(relDir);
      }
    }
    await fs.promises.rm(this.file, { force: true });
    return removed;
  }

  /** Called before a temporary file is created in `relDir`; written at once, so that a kill cannot lose it. */
  noteDirectory(relDir: string): void {
    if (this.noted.has(relDir)) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, `/${relDir}\n`, { mode: 0o600 });
    this.noted.add(relDir);
  }

  /** The job removed its own temporary files: nothing is left to sweep. */
  close(): void {
    fs.rmSync(this.file, { force: true });
  }
}
