import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeFields, useAppWithStore, waitForJobEnd } from "../support/app-server";

const BASE = "/v3/replication/object-relationships";
const BUCKET = "busy-bucket";
const FILES = 80;
const lab = useAppWithStore(BUCKET);

describe("many requests while several jobs write their progress", () => {
  it("answers every request without a server error, and loses no progress update", async () => {
    lab.proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 1_000 } : undefined);
    const ids: string[] = [];
    for (const name of ["busy-a", "busy-b", "busy-c"]) {
      fs.mkdirSync(path.join(lab.app.fsRoot, name));
      for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(lab.app.fsRoot, name, `f${i}.txt`), `${name} ${i}`);
      const created = await lab.app.call("POST", `${BASE}/`, {
        token: lab.token,
        body: {
          local_directory_path: `/${name}`,
          ...storeFields(lab.proxy.port, BUCKET),
          object_folder: name,
        },
      });
      expect(created.status).toBe(201);
      ids.push(created.json.id);
    }

    const statuses: number[] = [];
    // files_transferred as seen by each poll, per job (a job is known by its start time), with
    // the wave it was read in: replies within a wave arrive in any order, waves follow each other.
    const seen = new Map<string, Array<[wave: number, files: number]>>();
    let wave = 0;
    const requests = [
      () => lab.app.call("GET", `${BASE}/status/`, { token: lab.token }),
      () => lab.app.call("GET", `${BASE}/`, { token: lab.token }),
      ...ids.map((id) => async () => {
        const reply = await lab.app.call("GET", `${BASE}/${id}/status`, { token: lab.token });
        const job = reply.json?.current_job;
        if (job)
          seen.set(`${id} ${job.start_time}`, [
            ...(seen.get(`${id} ${job.start_time}`) ?? []),
            [wave, Number(job.job_progress.files_transferred)],
          ]);
        return reply;
      }),
      ...ids.map((id) => () => lab.app.call("POST", `${BASE}/${id}/replicate`, { token: lab.token })),
      () =>
        lab.app.call("POST", "/v1/session/login", {
          body: { username: "admin", password: "admin-password-for-tests" },
        }),
      () => fetch(`${lab.app.url}/signin`).then((r) => ({ status: r.status })),
    ];
    for (; wave < 24; wave++) {
      const replies = await Promise.all(
        Array.from({ length: 16 }, (_, i) => requests[(wave * 16 + i) % requests.length]!()),
      );
      statuses.push(...replies.map((r) => r.status));
    }

    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => s === 200 || s === 409)));
    // Progress only ever grows while a job runs.
    expect(seen.size).toBeGreaterThanOrEqual(ids.length);
    for (const history of seen.values()) {
      // Nothing read in a wave is below anything read in an earlier one.
      for (const [w, files] of history)
        for (const [earlier, before] of history) if (earlier < w) expect(files).toBeGreaterThanOrEqual(before);
    }
    for (const id of ids) {
      const done = await waitForJobEnd(lab.app, lab.token, id);
      expect(done.last_job.outcome).toBe("SUCCEEDED");
    }
    // The first job of each relationship counted every file exactly once.
    const history = await Promise.all(
      ids.map((id) => lab.app.call("GET", `${BASE}/${id}/status`, { token: lab.token })),
    );
    for (const reply of history)
      expect(
        BigInt(reply.json.last_job.job_progress.files_transferred) +
          BigInt(reply.json.last_job.job_progress.files_unchanged),
      ).toBe(BigInt(FILES));
    expect(lab.app.output()).not.toMatch(/database is locked|SQLITE_BUSY/);
  });
});
