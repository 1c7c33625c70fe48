import fs from "node:fs";
import path from "node:path";

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
    private readonly root: string,
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
      const dir = path.join(this.root, line.slice(1));
      if (path.relative(this.root, dir).split(path.sep)[0] === "..") continue;
      const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter((n) => PARTIAL_NAME.test(n))) {
        await fs.promises.rm(path.join(dir, name), { force: true });
        removed++;
      }
    }
    await fs.promises.rm(this.file, { force: true });
    return removed;
  }

  /** Called before a temporary file is created in `relDir`; written at once, so that a kill cannot lose it. */
  noteDirectory(relDir: string): void {
    if (this.noted.has(relDir)) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, `/${relDir}\n`);
    this.noted.add(relDir);
  }

  /** The job removed its own temporary files: nothing is left to sweep. */
  close(): void {
    fs.rmSync(this.file, { force: true });
  }
}
