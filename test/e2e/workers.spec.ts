import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { openAppDatabase, type AppDatabase } from "../support/app-database";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

/**
 * The Workers page over rows that workers on three hosts would leave: one running a job, one gone
 * silent while holding another (its lease has run out), one stopped. No worker of the app runs,
 * so nothing takes the silent one's job over while the page is looked at.
 */

const SHOTS = "test-results/artifacts";
const RUNNING = "storage-node-1.example.net:3121:0a1b2c";
const SILENT = "storage-node-7.example.net:4242:a1b2c3";
let app: AppServer;
let s3: S3TestServer;
let database: AppDatabase;
const relationships: Record<"frames" | "renders", string> = { frames: "", renders: "" };

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server(["workers-bucket"])]);
  const token = await app.login();
  for (const name of ["frames", "renders"] as const) {
    fs.mkdirSync(path.join(app.fsRoot, "projects/render-farm", name), { recursive: true });
    const created = await app.call("POST", "/v3/replication/object-relationships/", {
      token,
      body: relationshipBody(s3.port, {
        local_directory_path: `/projects/render-farm/${name}`,
        bucket: "workers-bucket",
        object_folder: `${name}/`,
      }),
    });
    expect(created.status).toBe(201);
    relationships[name] = created.json.id;
  }
  database = await openAppDatabase(app);
  const now = Date.now();
  const at = (msFromNow: number) => database.time(new Date(now + msFromNow));
  const insert = async (values: Record<string, unknown>) => {
    const names = Object.keys(values);
    await database.run(
      `INSERT INTO "Worker" (${names.map((n) => `"${n}"`).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
      ...Object.values(values),
    );
  };
  const common = { processSpace: "elsewhere", version: "0.1.0" };
  await insert({
    id: RUNNING,
    host: "storage-node-1.example.net",
    pid: 3121,
    ...common,
    startedAt: at(-7_200_000),
    heartbeatAt: at(-400),
  });
  await insert({
    id: SILENT,
    host: "storage-node-7.example.net",
    pid: 4242,
    ...common,
    startedAt: at(-3_600_000),
    heartbeatAt: at(-45_000),
  });
  await insert({
    id: "storage-node-2.example.net:977:d4e5f6",
    host: "storage-node-2.example.net",
    pid: 977,
    ...common,
    startedAt: at(-9_000_000),
    heartbeatAt: at(-1_800_000),
    stoppedAt: at(-1_800_000),
  });
  const hold = (worker: string, relationship: string, leaseFromNow: number, takeovers: number) =>
    database.run(
      `UPDATE "Job" SET state = 'RUNNING', "workerId" = ?, "startTime" = ?, "leaseExpiresAt" = ?, takeovers = ? WHERE "relationshipId" = ?`,
      worker,
      at(-600_000),
      at(leaseFromNow),
      takeovers,
      relationship,
    );
  await hold(RUNNING, relationships.frames, 29_000, 0);
  await hold(SILENT, relationships.renders, -15_000, 1);
  // The frames job is split into three work units: one done, one running here, one queued.
  const [framesJob] = await database.all<{ id: string }>(
    `SELECT id FROM "Job" WHERE "relationshipId" = ?`,
    relationships.frames,
  );
  await database.run(`UPDATE "Job" SET "unitsPlanned" = ? WHERE id = ?`, true, framesJob!.id);
  const units: Array<[number, string, string, string | null]> = [
    [0, "DONE", "", "shot-0400/"],
    [1, "RUNNING", "shot-0400/", "shot-0800/"],
    [2, "QUEUED", "shot-0800/", null],
  ];
  for (const [index, state, lower, upper] of units)
    await database.run(
      `INSERT INTO "JobUnit" ("jobId", "index", "lowerBound", "upperBound", state, "workerId", "leaseExpiresAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
      framesJob!.id,
      index,
      lower,
      upper,
      state,
      state === "RUNNING" ? RUNNING : null,
      state === "RUNNING" ? at(29_000) : null,
    );
});

test.afterAll(async () => {
  await database?.close();
  await Promise.all([app?.stop(), s3?.stop()]);
});

test("lists every worker with its state, heartbeat and the jobs it holds, at desktop and phone width", async ({
  page,
}) => {
  await signIn(page, app.url, OBSERVER.username, OBSERVER.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" }).click();
  await expect(page).toHaveURL(/\/workers$/);
  await expect(page.getByRole("heading", { name: "Workers", level: 1 })).toBeVisible();
  const cards = page.getByTestId("worker");
  await expect(cards).toHaveCount(3);
  // Running first, then silent, then stopped.
  await expect(cards.nth(0)).toContainText("storage-node-1.example.net");
  await expect(cards.nth(0)).toContainText("Running");
  await expect(cards.nth(0)).toContainText("/projects/render-farm/frames/ → workers-bucket/frames/");
  await expect(cards.nth(0).getByRole("link").first()).toHaveAttribute("href", `/copies/${relationships.frames}`);
  await expect(cards.nth(0)).toContainText("split into 3 parts, which every worker runs");
  await expect(cards.nth(0)).toContainText(
    "Part 2 of /projects/render-farm/frames/ → workers-bucket/frames/ · keys from “shot-0400/” up to “shot-0800/”",
  );
  await expect(cards.nth(1)).toContainText("storage-node-7.example.net");
  await expect(cards.nth(1)).toContainText("Silent");
  await expect(cards.nth(1)).toContainText(/Last heartbeat\s*[4-9]\d s ago/);
  await expect(cards.nth(1)).toContainText("/projects/render-farm/renders/ → workers-bucket/renders/");
  await expect(cards.nth(1)).toContainText("taken over once");
  await expect(cards.nth(2)).toContainText("Stopped");
  await expect(cards.nth(2)).toContainText("No job.");
  await expect(page.getByText("1 worker is running")).toBeVisible();
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth, `${scrollWidth} px wide in a ${clientWidth} px window`).toBeLessThanOrEqual(clientWidth);
    await page.screenshot({ path: path.join(SHOTS, `workers-${width}.png`), fullPage: true });
    await expectAccessible(page, `workers page at ${width} px`);
  }
});

test("an administrator reaches it from the header too", async ({ page }) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.goto(`${app.url}/workers`);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" })).toHaveAttribute(
    "aria-current",
    "page",
  );
});
