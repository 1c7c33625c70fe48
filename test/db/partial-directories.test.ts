// The journal of a pull's temporary files, kept in PostgreSQL where workers share it: a directory
// noted by any host is swept by any other, and a sweep keeps only what it could not reach.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { PartialsJournal } from "@/lib/engine/partials-journal";
import { partialsLedgerFor } from "@/lib/jobs/partial-directories";
import { TreeHandle } from "@/lib/fs/beneath";
import { makeTempDir } from "../support/engine-harness";
import { newRelationship, useMigratedPostgres } from "../support/postgres-rows";

useMigratedPostgres("partials");

describe("the shared journal of temporary files", () => {
  it("notes each directory once, from any number of writers; the next job's sweep removes only this service's temporary files", async () => {
    const relationshipId = await newRelationship("COPY_FROM_OBJECT");
    const root = makeTempDir("s3shift-partials-");
    fs.mkdirSync(path.join(root, "a/b"), { recursive: true });
    const leftover = path.join(root, "a/b/.s3shift-0a1b2c-7.partial");
    fs.writeFileSync(leftover, "half a download");
    fs.writeFileSync(path.join(root, "a/b/.s3shift-notours.partial"), "a user's file of a similar name");
    fs.writeFileSync(path.join(root, ".s3shift-ffff-1.partial"), "at the root");

    // Two hosts' units note the same directories at once.
    const tree = TreeHandle.open(root);
    try {
      const hostA = new PartialsJournal(partialsLedgerFor(relationshipId), tree, true);
      const hostB = new PartialsJournal(partialsLedgerFor(relationshipId), tree, true);
      await Promise.all([hostA.noteDirectory("a/b"), hostB.noteDirectory("a/b"), hostB.noteDirectory("")]);
      // A unit shares the journal: it neither sweeps nor clears it.
      expect(await hostA.sweepLeftovers()).toBe(0);
      await hostA.close();
      const rows = await db().partialDirectory.findMany({ where: { relationshipId }, orderBy: { relDir: "asc" } });
      expect(rows.map((r) => r.relDir)).toEqual(["", "a/b"]);

      const job = new PartialsJournal(partialsLedgerFor(relationshipId), tree);
      expect(await job.sweepLeftovers()).toBe(2);
      expect(fs.existsSync(leftover)).toBe(false);
      expect(fs.readFileSync(path.join(root, "a/b/.s3shift-notours.partial"), "utf8")).toBe(
        "a user's file of a similar name",
      );
      expect(await db().partialDirectory.count({ where: { relationshipId } })).toBe(0);
    } finally {
      tree.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
