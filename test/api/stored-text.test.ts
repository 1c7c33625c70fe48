// Text from outside keeps its place in the database, whichever it is: PostgreSQL refuses NUL in
// text, which an S3 key may hold; a sign-in with a control character in the name is refused by name.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shareAppDatabase, withAppDatabase } from "../support/app-database";
import { startApp, storeFields, type AppServer } from "../support/app-server";
import { startS3Server, type S3TestServer } from "../support/s3-server";

let app: AppServer;
let s3: S3TestServer;

beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server(["texts"])]);
});
afterAll(async () => {
  const { db } = await import("@/lib/db/prisma");
  await db().$disconnect();
  await Promise.all([app?.stop(), s3?.stop()]);
});

describe("text from outside", () => {
  it("keeps a failed entry whose key holds NUL, shown as ␀", async () => {
    const token = await app.login();
    fs.mkdirSync(path.join(app.fsRoot, "texts"));
    const created = await app.call("POST", "/v3/replication/object-relationships/", {
      token,
      body: {
        direction: "COPY_FROM_OBJECT",
        local_directory_path: "/texts",
        object_folder: "t/",
        ...storeFields(s3.port, "texts"),
      },
    });
    expect(created.status).toBe(201);
    shareAppDatabase(app);
    const { JobEntryRows } = await import("@/lib/jobs/job-entry-rows");
    const job = await withAppDatabase(app, (database) =>
      database.get<{ id: string }>(`SELECT id FROM "Job" WHERE "relationshipId" = ?`, created.json.id),
    );
    const rows = new JobEntryRows(job!.id);
    rows.listener({ type: "file-failed", path: "bad\u0000key.txt", size: 1n, message: "names NUL\u0000 here" });
    rows.listener({ type: "file-skipped", path: "odd\u0000link", reason: "symlink" });
    const { db } = await import("@/lib/db/prisma");
    const write = rows.prepare();
    (await db().$transaction((tx) => write(tx))).committed();
    const stored = await withAppDatabase(app, (database) =>
      database.all<{ path: string; message: string }>(
        `SELECT path, message FROM "JobFileError" WHERE "jobId" = ?`,
        job!.id,
      ),
    );
    expect(stored).toEqual([{ path: "bad\u2400key.txt", message: "names NUL\u2400 here" }]);
    const skipped = await withAppDatabase(app, (database) =>
      database.all<{ path: string }>(`SELECT path FROM "JobSkippedEntry" WHERE "jobId" = ?`, job!.id),
    );
    expect(skipped).toEqual([{ path: "odd\u2400link" }]);
  });

  it("refuses a sign-in whose name holds a control character, naming the field", async () => {
    const reply = await app.call("POST", "/v1/session/login", { body: { username: "ad\u0000min", password: "x" } });
    expect(reply.status).toBe(400);
    expect(reply.json.description).toContain("must not contain control characters");
    // The throttle and the audit trail were never reached, and the administrator still signs in.
    expect(await app.login()).toBeTruthy();
  });
});
