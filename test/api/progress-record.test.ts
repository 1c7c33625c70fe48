import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shareAppDatabase } from "../support/app-database";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "progress-bucket";
const lab = useAppWithStore(BUCKET);

describe("the progress record through the API", () => {
  it("shows files_skipped_filtered (0: no filter is applied yet) in the status, the job history and the OpenAPI schema", async () => {
    fs.mkdirSync(path.join(lab.app.fsRoot, "counted"), { recursive: true });
    fs.writeFileSync(path.join(lab.app.fsRoot, "counted/a.txt"), "a");
    const created = await lab.app.call("POST", `${BASE}/`, {
      token: lab.token,
      body: {
        direction: "COPY_TO_OBJECT",
        ...storeFields(lab.proxy.port, BUCKET),
        local_directory_path: "/counted",
        object_folder: "counted/",
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.json.id;

    const status = await waitForJobEnd(lab.app, lab.token, id);
    expect(status.last_job.outcome).toBe("SUCCEEDED");
    expect(status.last_job.job_progress).toMatchObject({ files_transferred: "1", files_skipped_filtered: "0" });
    const listed = (await lab.app.call("GET", `${BASE}/status/`, { token: lab.token })).json as Array<{
      id: string;
      last_job: { job_progress: object };
    }>;
    expect(listed.find((entry) => entry.id === id)?.last_job.job_progress).toMatchObject({
      files_skipped_filtered: "0",
    });

    // The job history is read by the console's details page, in its own process, from the same database.
    shareAppDatabase(lab.app);
    const { listRelationshipJobs } = await import("@/lib/replication/job-history");
    const { db } = await import("@/lib/db/prisma");
    try {
      const history = await listRelationshipJobs({ id });
      expect(history).toHaveLength(1);
      expect(history[0]!.job_progress.files_skipped_filtered).toBe("0");
      expect(history[0]!.job_progress).toEqual(status.last_job.job_progress);
    } finally {
      await db().$disconnect();
    }

    const schema = (await lab.app.call("GET", "/openapi.json")).json.components.schemas.JobProgress;
    expect(schema.properties.files_skipped_filtered).toMatchObject({ type: "string", pattern: "^[0-9]+$" });
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(status.last_job.job_progress).sort());
  });
});
