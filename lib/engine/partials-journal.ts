import fs from "node:fs";
import path from "node:path";
import { fdPath, PathChangedError, type TreeHandle } from "@/lib/fs/beneath";

const PARTIAL_NAME = /^\.s3shift-[0-9a-f]+-\d+\.partial$/;

/**
 * Remembers, outside the directory, every directory in which a copy-from-S3 job has created a
 * temporary file. A job that ends in any way removes its own; one whose process was killed
 * cannot, so the next job of the relationship sweeps the directories listed here first.
 */
export class PartialsJournal {
  private readonly noted = new Set<string>();
  /** Lines of directories an earlier job's leftovers could not be swept from: kept for the next job. */
  private unswept: string[] = [];

  constructor(
    private readonly file: string,
    private readonly tree: TreeHandle,
  ) {}

  /**
   * Deletes the temporary files a job that never finished left behind; returns how many. Only
   * this service's own regular files of the temporary files' name are removed; whatever else is
   * there (a directory of that name, a user's file) stays, and never fails the job. A directory
   * that could not be swept stays in the journal for the next job.
   */
  async sweepLeftovers(): Promise<number> {
    let listed: string;
    try {
      listed = await fs.promises.readFile(this.file, "utf8");
    } catch {
      return 0;
    }
    let removed = 0;
    const unswept = this.unswept;
    // Each line is "/" + the directory relative to the root ("/" alone is the root itself).
    for (const line of new Set(listed.split("\n").filter((l) => l.startsWith("/")))) {
      const relDir = line.slice(1);
      let fd: number;
      try {
        // Reached through the tree's handles: a noted directory since swapped for a link is passed over.
        fd = this.tree.acquire(relDir);
      } catch (error) {
        // Gone, or no longer a directory of the tree (a link now): nothing of ours can be reached there.
        if (!(error instanceof PathChangedError) && (error as NodeJS.ErrnoException).code !== "ENOENT")
          unswept.push(line);
        continue;
      }
      try {
        for (const name of (await fs.promises.readdir(fdPath(fd))).filter((n) => PARTIAL_NAME.test(n))) {
          if (await removeOwnPartial(fdPath(fd, name))) removed++;
        }
      } catch {
        unswept.push(line);
      } finally {
        this.tree.release(relDir);
      }
    }
    if (unswept.length > 0)
      await fs.promises.writeFile(this.file, unswept.map((l) => `${l}\n`).join(""), { mode: 0o600 });
    else await fs.promises.rm(this.file, { force: true });
    return removed;
  }

  /** Called before a temporary file is created in `relDir`; written at once, so that a kill cannot lose it. */
  noteDirectory(relDir: string): void {
    if (this.noted.has(relDir)) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, `/${relDir}\n`, { mode: 0o600 });
    this.noted.add(relDir);
  }

  /** The job removed its own temporary files: nothing is left to sweep (but what an earlier sweep could not reach). */
  close(): void {
    if (this.unswept.length > 0)
      fs.writeFileSync(this.file, this.unswept.map((l) => `${l}\n`).join(""), { mode: 0o600 });
    else fs.rmSync(this.file, { force: true });
  }
}

/** Removes a leftover temporary file, if it is one: a regular file of this service's user. */
async function removeOwnPartial(file: string): Promise<boolean> {
  try {
    const stat = await fs.promises.lstat(file);
    if (!stat.isFile() || stat.uid !== process.getuid?.()) return false;
    await fs.promises.unlink(file);
    return true;
  } catch {
    return false;
  }
}
