import fs from "node:fs";
import path from "node:path";
import { fdPath, PathChangedError, type TreeHandle } from "@/lib/fs/beneath";

const PARTIAL_NAME = /^\.s3shift-[0-9a-f]+-\d+\.partial$/;

/**
 * Where the directories that hold a copy-from-S3 job's temporary files are noted, outside the
 * directory: a file in the data directory on one host, a table where workers share a database.
 * Each directory is "" for the root or its path relative to it.
 */
export interface PartialsLedger {
  listed(): Promise<string[]>;
  /** Resolves once the note is durable: a temporary file is created only after it. */
  note(relDir: string): Promise<void>;
  /** Only these stay noted. */
  keepOnly(relDirs: string[]): Promise<void>;
}

/**
 * Remembers every directory in which a copy-from-S3 job has created a temporary file. A job that
 * ends in any way removes its own; one whose process was killed cannot, so the next job of the
 * relationship sweeps the directories noted first. A job split into work units shares the
 * journal between them (`shared`): a unit neither sweeps nor clears it, since another unit may
 * be writing there; the job does both before its first unit and after its last.
 */
export class PartialsJournal {
  private readonly noted = new Map<string, Promise<void>>();
  /** Directories an earlier job's leftovers could not be swept from: kept for the next job. */
  private unswept: string[] = [];

  constructor(
    private readonly ledger: PartialsLedger,
    private readonly tree: TreeHandle,
    private readonly shared = false,
  ) {}

  /**
   * Deletes the temporary files a job that never finished left behind; returns how many. Only
   * this service's own regular files of the temporary files' name are removed; whatever else is
   * there (a directory of that name, a user's file) stays, and never fails the job. A directory
   * that could not be swept stays noted for the next job.
   */
  async sweepLeftovers(): Promise<number> {
    if (this.shared) return 0;
    let removed = 0;
    const unswept = this.unswept;
    for (const relDir of new Set(await this.ledger.listed())) {
      let fd: number;
      try {
        // Reached through the tree's handles: a noted directory since swapped for a link is passed over.
        fd = this.tree.acquire(relDir);
      } catch (error) {
        // Gone, or no longer a directory of the tree (a link now): nothing of ours can be reached there.
        if (!(error instanceof PathChangedError) && (error as NodeJS.ErrnoException).code !== "ENOENT")
          unswept.push(relDir);
        continue;
      }
      try {
        for (const name of (await fs.promises.readdir(fdPath(fd))).filter((n) => PARTIAL_NAME.test(n))) {
          if (await removeOwnPartial(fdPath(fd, name))) removed++;
        }
      } catch {
        unswept.push(relDir);
      } finally {
        this.tree.release(relDir);
      }
    }
    await this.ledger.keepOnly(unswept);
    return removed;
  }

  /** Awaited before a temporary file is created in `relDir`: a kill after it cannot lose the note. */
  noteDirectory(relDir: string): Promise<void> {
    let noting = this.noted.get(relDir);
    if (!noting) {
      noting = this.ledger.note(relDir);
      // A note that failed is tried again by the next file there.
      noting.catch(() => this.noted.delete(relDir));
      this.noted.set(relDir, noting);
    }
    return noting;
  }

  /** The job removed its own temporary files: nothing is left to sweep (but what an earlier sweep could not reach). */
  async close(): Promise<void> {
    if (!this.shared) await this.ledger.keepOnly(this.unswept);
  }
}

/** The ledger of a host's own jobs: one line per directory, "/" + its relative path. */
export class FilePartialsLedger implements PartialsLedger {
  constructor(private readonly file: string) {}

  async listed(): Promise<string[]> {
    try {
      const text = await fs.promises.readFile(this.file, "utf8");
      return text
        .split("\n")
        .filter((line) => line.startsWith("/"))
        .map((line) => line.slice(1));
    } catch {
      return [];
    }
  }

  async note(relDir: string): Promise<void> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, `/${relDir}\n`, { mode: 0o600 });
  }

  async keepOnly(relDirs: string[]): Promise<void> {
    if (relDirs.length > 0)
      await fs.promises.writeFile(this.file, relDirs.map((d) => `/${d}\n`).join(""), { mode: 0o600 });
    else await fs.promises.rm(this.file, { force: true });
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
