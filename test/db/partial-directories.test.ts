// The journal of a pull's temporary files, kept in PostgreSQL where workers share it: a directory
// noted by any host is swept by any other, and a sweep keeps only what it could not reach.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { partialsJournalFor } from "@/lib/data-paths";
import { db } from "@/lib/db/prisma";
import { PartialsJournal } from "@/lib/engine/partials-journal";
import { partialsLedgerFor } from "@/lib/jobs/partial-directories";
import { TreeHandle } from "@/lib/fs/beneath";
import { makeTempDir } from "../support/engine-harness";
import { newRelationship, useMigratedPostgres } from "../support/postgres-rows";

// This host's data directory, where a journal from before the table is found.
process.env.SHIFT_DATA_DIR = makeTempDir("s3shift-partials-data-");
useMigratedPostgres("partials");

describe("the shared journal of temporary files", () => {
  it("notes each directory once per attempt, from any number of writers; the next job's sweep removes only the noted attempts' temporary files", async () => {
    const relationshipId = await newRelationship("COPY_FROM_OBJECT");
    const root = makeTempDir("s3shift-partials-");
    fs.mkdirSync(path.join(root, "a/b"), { recursive: true });
    const leftover = path.join(root, "a/b/.s3shift-0a1b2c-7.partial");
    fs.writeFileSync(leftover, "half a download");
    fs.writeFileSync(path.join(root, "a/b/.s3shift-notours.partial"), "a user's file of a similar name");
    // Placed from an object whose key looks like a temporary file's: no attempt had that prefix.
    fs.writeFileSync(path.join(root, "a/b/.s3shift-abcdef-1.partial"), "an object's bytes");
    fs.writeFileSync(path.join(root, ".s3shift-ffff-1.partial"), "at the root");
    // A journal this host kept before the database held them, from a pull killed then.
    fs.mkdirSync(path.dirname(partialsJournalFor(relationshipId)), { recursive: true });
    fs.writeFileSync(partialsJournalFor(relationshipId), '{"d":"c","p":"0c0c"}\n');
    fs.mkdirSync(path.join(root, "c"));
    fs.writeFileSync(path.join(root, "c/.s3shift-0c0c-3.partial"), "left before the move");

    // Two hosts' units note the same directories at once.
    const tree = TreeHandle.open(root);
    try {
      const hostA = new PartialsJournal(partialsLedgerFor(relationshipId), tree, true, "0a1b2c");
      const hostB = new PartialsJournal(partialsLedgerFor(relationshipId), tree, true, "ffff");
      await Promise.all([
        hostA.noteDirectory("a/b"),
        hostA.noteDirectory("a/b"),
        hostB.noteDirectory("a/b"),
        hostB.noteDirectory(""),
      ]);
      // A unit shares the journal: it neither sweeps nor clears it.
      expect(await hostA.sweepLeftovers()).toBe(0);
      await hostA.close();
      const rows = await db().partialDirectory.findMany({
        where: { relationshipId },
        orderBy: [{ relDir: "asc" }, { prefix: "asc" }],
        select: { relDir: true, prefix: true },
      });
      expect(rows).toEqual([
        { relDir: "", prefix: "ffff" },
        { relDir: "a/b", prefix: "0a1b2c" },
        { relDir: "a/b", prefix: "ffff" },
      ]);

      const job = new PartialsJournal(partialsLedgerFor(relationshipId), tree);
      expect(await job.sweepLeftovers()).toBe(3);
      expect(fs.existsSync(leftover)).toBe(false);
      expect(fs.existsSync(path.join(root, "c/.s3shift-0c0c-3.partial"))).toBe(false);
      expect(fs.existsSync(partialsJournalFor(relationshipId))).toBe(false);
      expect(fs.readdirSync(path.join(root, "a/b")).sort()).toEqual([
        ".s3shift-abcdef-1.partial",
        ".s3shift-notours.partial",
      ]);
      expect(await db().partialDirectory.count({ where: { relationshipId } })).toBe(0);
    } finally {
      tree.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("a journal from before the table that cannot be read is neither taken for an empty one nor removed", async () => {
    const relationshipId = await newRelationship("COPY_FROM_OBJECT");
    const root = makeTempDir("s3shift-partials-");
    // A link to itself in the journal's place: reading it fails with ELOOP, not ENOENT.
    const journal = partialsJournalFor(relationshipId);
    fs.mkdirSync(path.dirname(journal), { recursive: true });
    fs.symlinkSync(journal, journal);
    const tree = TreeHandle.open(root);
    try {
      await expect(new PartialsJournal(partialsLedgerFor(relationshipId), tree).sweepLeftovers()).rejects.toThrow(
        /ELOOP/,
      );
      expect(fs.lstatSync(journal).isSymbolicLink()).toBe(true);
    } finally {
      tree.close();
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(journal, { force: true });
    }
  });

  it("a note the database refuses is tried again, but not once the job has stopped", async () => {
    // No relationship of that id: every insert fails on its foreign key.
    const ledger = partialsLedgerFor("no-such-relationship");
    const stopped = new AbortController();
    stopped.abort(new Error("stopped"));
    const started = performance.now();
    await expect(ledger.note({ relDir: "a", prefix: "00" }, stopped.signal)).rejects.toThrow(/foreign key/i);
    const whenStopped = performance.now() - started;

    const stopsLater = new AbortController();
    const tries = ledger.note({ relDir: "a", prefix: "00" }, stopsLater.signal);
    setTimeout(() => stopsLater.abort(new Error("stopped")), 500);
    const second = performance.now();
    await expect(tries).rejects.toThrow(/foreign key/i);
    const whenStoppedMidway = performance.now() - second;
    // Left to its tries, a refused note waits 200 ms, 1 s and 3 s between them: 4.2 s in all.
    expect(whenStopped).toBeLessThan(2_000);
    expect(whenStoppedMidway).toBeGreaterThanOrEqual(450);
    expect(whenStoppedMidway).toBeLessThan(3_000);
  });
});
