import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { jobProgressSchema, progressView } from "@/lib/progress/api-view";
import { PROGRESS_FIELDS, type AnyField } from "@/lib/progress/fields";
import { emptyProgress, progressColumns, progressOf } from "@/lib/progress/record";
import { createPrismaClient } from "@/lib/db/prisma";
import { ProgressTracker } from "@/lib/engine/progress";

const ROOT = path.resolve(import.meta.dirname, "../..");
const fields = Object.values(PROGRESS_FIELDS) as AnyField[];

/** The Prisma type and SQLite column each kind needs. */
const EXPECTED: Record<AnyField["kind"], { prisma: string; sqlite: string; nullable: boolean }> = {
  flag: { prisma: "Boolean", sqlite: "BOOLEAN", nullable: false },
  count: { prisma: "BigInt", sqlite: "BIGINT", nullable: false },
  total: { prisma: "BigInt", sqlite: "BIGINT", nullable: false },
  rate: { prisma: "Float", sqlite: "REAL", nullable: false },
  time: { prisma: "DateTime", sqlite: "DATETIME", nullable: true },
  readMode: { prisma: "String", sqlite: "TEXT", nullable: true },
  json: { prisma: "String", sqlite: "TEXT", nullable: false },
};

/** The Job model's scalar lines of prisma/schema.prisma: name → type ("BigInt", "DateTime?", …) and default. */
function schemaJobColumns(): Map<string, { type: string; line: string }> {
  const schema = fs.readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8");
  const body = /^model Job \{\n([\s\S]*?)^\}/m.exec(schema)![1]!;
  const columns = new Map<string, { type: string; line: string }>();
  for (const line of body.split("\n")) {
    const match = /^\s*(\w+)\s+(\w+\??)/.exec(line);
    if (match) columns.set(match[1]!, { type: match[2]!, line });
  }
  return columns;
}

/** Every migration applied in order, as `prisma migrate deploy` does. */
function migratedDatabase(file = ":memory:"): Database.Database {
  const sqlite = new Database(file);
  const dir = path.join(ROOT, "prisma/migrations");
  for (const name of fs
    .readdirSync(dir)
    .filter((entry) => fs.statSync(path.join(dir, entry)).isDirectory())
    .sort()) {
    sqlite.exec(fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
  }
  return sqlite;
}

describe("the progress record and the Job table agree", () => {
  it("has every listed column in the generated Prisma client's Job model", () => {
    const scalars = Object.values(Prisma.JobScalarFieldEnum) as string[];
    for (const field of fields) expect(scalars, field.column).toContain(field.column);
  });

  it("declares every listed column in prisma/schema.prisma with the type its kind needs", () => {
    const columns = schemaJobColumns();
    for (const field of fields) {
      const expected = EXPECTED[field.kind];
      expect(columns.get(field.column)?.type, field.column).toBe(expected.prisma + (expected.nullable ? "?" : ""));
      if (field.kind === "json")
        expect(columns.get(field.column)?.line, field.column).toContain(`@default(${JSON.stringify(field.empty)})`);
    }
  });

  it("gets every listed column from the migrations, with the SQLite type and default its kind needs", () => {
    const sqlite = migratedDatabase();
    const info = sqlite.prepare(`PRAGMA table_info("Job")`).all() as Array<{
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
    }>;
    // Not in the Prisma schema, so a migration that redefines the table (what `migrate diff`
    // writes for SQLite) would drop it: a column is added with ALTER TABLE … ADD COLUMN.
    const indexes = sqlite.prepare(`PRAGMA index_list("Job")`).all() as Array<{ name: string }>;
    sqlite.close();
    expect(indexes.map((index) => index.name)).toContain("Job_one_active_per_relationship");
    const columns = new Map(info.map((column) => [column.name, column]));
    for (const field of fields) {
      const expected = EXPECTED[field.kind];
      const column = columns.get(field.column);
      expect(column, `${field.column} is missing from the migrations`).toBeDefined();
      expect({ type: column!.type, nullable: column!.notnull === 0 }, field.column).toEqual({
        type: expected.sqlite,
        nullable: expected.nullable,
      });
      if (field.kind === "json") expect(column!.dflt_value, field.column).toBe(`'${field.empty}'`);
    }
  });
});

describe("the progress record", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-progress-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads back from a job's row exactly as the worker wrote it", async () => {
    const file = path.join(dir, "shift.db");
    migratedDatabase(file).close();
    const tracker = new ProgressTracker();
    tracker.listener({ type: "mode", mode: "stable-read", detail: "" });
    tracker.listener({ type: "totals", files: 5n, bytes: 500n });
    tracker.listener({ type: "file-transferred", path: "a", size: 100n, multipart: false });
    tracker.listener({ type: "file-unchanged", path: "b", size: 100n, how: "fingerprint" });
    tracker.listener({ type: "file-skipped", path: "l", reason: "symlink" });
    const written = tracker.snapshot();

    const prisma = createPrismaClient(file);
    try {
      const relationship = await prisma.relationship.create({
        data: {
          direction: "COPY_TO_OBJECT",
          localDirectoryId: "1",
          localDirectoryPath: "/a/",
          objectStoreAddress: "s3.example",
          port: 443,
          bucket: "b",
          bucketStyle: "BUCKET_STYLE_PATH",
          objectFolder: "",
          region: "us-east-1",
          accessKeyId: "k",
          secretCiphertext: "x",
          createdBy: "t",
        },
      });
      const fresh = await prisma.job.create({ data: { relationshipId: relationship.id, state: "QUEUED" } });
      expect(progressOf(fresh)).toEqual(emptyProgress());
      const job = await prisma.job.update({ where: { id: fresh.id }, data: progressColumns(written) });
      expect(progressOf(job)).toEqual(written);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("shows in job_progress exactly the fields its OpenAPI schema describes", () => {
    const tracker = new ProgressTracker();
    tracker.listener({ type: "totals", files: 4n, bytes: 400n });
    tracker.listener({ type: "file-copied-server-side", path: "b", source: "a", size: 100n });
    tracker.listener({ type: "file-failed", path: "c", size: 100n, message: "x" });
    tracker.listener({ type: "file-skipped", path: "l", reason: "symlink" });
    const view = progressView(tracker.snapshot());
    // The order the API has always sent (SPEC §5.7), the new counter last; the schema lists them alike.
    expect(Object.keys(view)).toEqual([
      "bytes_transferred",
      "bytes_unchanged",
      "bytes_remaining",
      "bytes_total",
      "files_transferred",
      "files_unchanged",
      "files_remaining",
      "files_total",
      "percent_complete",
      "throughput_current",
      "throughput_overall",
      "files_copied_server_side",
      "bytes_copied_server_side",
      "files_failed",
      "bytes_failed",
      "entries_skipped",
      "entries_skipped_by_reason",
      "files_skipped_filtered",
    ]);
    expect(Object.keys(jobProgressSchema.properties)).toEqual(Object.keys(view));
    expect(view).toMatchObject({
      bytes_transferred: "0",
      bytes_total: "400",
      bytes_remaining: "200",
      files_total: "4",
      files_remaining: "2",
      percent_complete: 50,
      files_copied_server_side: "1",
      bytes_copied_server_side: "100",
      files_failed: "1",
      bytes_failed: "100",
      entries_skipped: "1",
      entries_skipped_by_reason: { symlink: 1 },
    });
    expect(progressView(emptyProgress())).toMatchObject({
      bytes_total: null,
      files_total: null,
      bytes_remaining: null,
      files_remaining: null,
      percent_complete: null,
    });
  });
});
