import fs from "node:fs";
import path from "node:path";
import { fdPath, PathChangedError, type TreeHandle } from "@/lib/fs/beneath";

const PARTIAL_NAME = /^\.s3shift-([0-9a-f]+)-\d+\.partial$/;

/** The name of a job's temporary file: its random prefix, then a count. */
export function partialName(prefix: string, count: number): string {
  return `.s3shift-${prefix}-${count}.partial`;
}

/**
 * A directory where one job (or one attempt at a work unit) created temporary files, and the
 * random prefix of their names. An empty prefix, from a note written before prefixes were kept,
 * stands for any.
 */
export interface NotedDirectory {
  relDir: string;
  prefix: string;
}

/**
 * Where the directories that hold a copy-from-S3 job's temporary files are noted, outside the
 * directory: a file in the data directory on one host, a table where workers share a database.
 * Each directory is "" for the root or its path relative to it.
 */
export interface PartialsLedger {
  listed(): Promise<NotedDirectory[]>;
  /** Resolves once the note is durable: a temporary file is created only after it. Gives up when `signal` aborts. */
  note(noted: NotedDirectory, signal?: AbortSignal): Promise<void>;
  /** Only these stay noted. */
  keepOnly(noted: NotedDirectory[]): Promise<void>;
}

/**
 * Remembers every directory in which a copy-from-S3 job has created a temporary file. A job that
 * ends in any way removes its own; one whose process was killed cannot, so the next job of the
 * relationship sweeps the directories noted first. A job split into work units shares the
 * journal between them (`shared`): a unit neither sweeps nor clears it, since another unit may
 * be writing there; the job does both before its first unit and after its last.
 *
 * Each note carries the prefix of the names this journal's files get (`prefix`), and a sweep
 * removes only names with a noted prefix: a file placed from an object whose key merely looks
 * like a temporary file's is never taken for one.
 */
export class PartialsJournal {
  private readonly noted = new Map<string, Promise<void>>();
  /** Directories an earlier job's leftovers could not be swept from: kept for the next job. */
  private unswept: NotedDirectory[] = [];

  constructor(
    private readonly ledger: PartialsLedger,
    private readonly tree: TreeHandle,
    private readonly shared = false,
    /** The random part of this job's temporary files' names (see `partialName`). */
    readonly prefix = "",
    /** The job's: a note still being tried when it aborts gives up. */
    private readonly signal?: AbortSignal,
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
    for (const [relDir, prefixes] of byDirectory(await this.ledger.listed())) {
      const keep = () => unswept.push(...[...prefixes].map((prefix) => ({ relDir, prefix })));
      let fd: number;
      try {
        // Reached through the tree's handles: a noted directory since swapped for a link is passed over.
        fd = this.tree.acquire(relDir);
      } catch (error) {
        // Gone, or no longer a directory of the tree (a link now): nothing of ours can be reached there.
        if (!(error instanceof PathChangedError) && (error as NodeJS.ErrnoException).code !== "ENOENT") keep();
        continue;
      }
      try {
        for (const name of await fs.promises.readdir(fdPath(fd))) {
          const prefix = PARTIAL_NAME.exec(name)?.[1];
          if (prefix === undefined || !(prefixes.has(prefix) || prefixes.has(""))) continue;
          if (await removeOwnPartial(fdPath(fd, name))) removed++;
        }
      } catch {
        keep();
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
      noting = this.ledger.note({ relDir, prefix: this.prefix }, this.signal);
      // A note that failed is tried again by the next file there.
      noting.catch(() => this.noted.delete(relDir));
      this.noted.set(relDir, noting);
    }
    return noting;
  }

  /** The job removed its own temporary files: nothing is left to sweep (but what an earlier sweep could not reach). */
  async close(): Promise<void> {
    if (this.shared) return;
    try {
      await this.ledger.keepOnly(this.unswept);
    } catch {
      // The notes stay: the next job sweeps those directories and finds none of these files.
    }
  }
}

/**
 * The ledger of a host's own jobs: one line per note, a JSON object (a directory's name may hold
 * a line break). A line "/" + path is a note from before prefixes were kept.
 */
export class FilePartialsLedger implements PartialsLedger {
  constructor(private readonly file: string) {}

  async listed(): Promise<NotedDirectory[]> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, "utf8");
    } catch (error) {
      // Only a journal that does not exist is empty: one that cannot be read now must not be taken for it and cleared.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const noted: NotedDirectory[] = [];
    for (const line of text.split("\n")) {
      if (line.startsWith("/")) noted.push({ relDir: line.slice(1), prefix: "" });
      else if (line.startsWith("{")) {
        // A line cut short by a kill was written before its file was created: nothing to sweep.
        const parsed = parseNote(line);
        if (parsed) noted.push(parsed);
      }
    }
    return noted;
  }

  async note(noted: NotedDirectory): Promise<void> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, noteLine(noted), { mode: 0o600 });
  }

  async keepOnly(noted: NotedDirectory[]): Promise<void> {
    if (noted.length > 0) await fs.promises.writeFile(this.file, noted.map(noteLine).join(""), { mode: 0o600 });
    else await fs.promises.rm(this.file, { force: true });
  }
}

function noteLine({ relDir, prefix }: NotedDirectory): string {
  return JSON.stringify({ d: relDir, p: prefix }) + "\n";
}

function parseNote(line: string): NotedDirectory | undefined {
  try {
    const { d, p } = JSON.parse(line) as { d?: unknown; p?: unknown };
    if (typeof d === "string" && typeof p === "string" && /^[0-9a-f]*$/.test(p)) return { relDir: d, prefix: p };
  } catch {
    // Not a whole line.
  }
  return undefined;
}

function byDirectory(noted: NotedDirectory[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const { relDir, prefix } of noted) {
    let prefixes = map.get(relDir);
    if (!prefixes) map.set(relDir, (prefixes = new Set()));
    prefixes.add(prefix);
  }
  return map;
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
