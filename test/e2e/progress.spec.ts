import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN_PASSWORD, startApp, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { openAppDatabase, type AppDatabase } from "../support/app-database";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

/**
 * The progress text, bar, summary, chart and history in each state a job passes through, set in
 * the database of a real app (no worker runs here, so the rows stay as the test writes them).
 */

const MIB = 1024 * 1024;
const WIDTHS = [1366, 390] as const;
let app: AppServer;
let s3: S3TestServer;
let database: AppDatabase;
let id: string;
let jobId: string;
/** A DateTime column's value, as Prisma stores it in the app's database. */
let timeOf: (date: Date) => unknown;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server(["progress-bucket"])]);
  fs.mkdirSync(path.join(app.fsRoot, "reports"));
  const token = await app.login();
  const created = await app.call("POST", "/v3/replication/object-relationships/", {
    token,
    body: relationshipBody(s3.port, { local_directory_path: "/reports", bucket: "progress-bucket" }),
  });
  expect(created.status).toBe(201);
  id = created.json.id;
  database = await openAppDatabase(app);
  const job = (await database.get<{ id: string }>(`SELECT id FROM "Job" WHERE "relationshipId" = ?`, id))!;
  jobId = job.id;
  timeOf = (d) => database.time(d);
});

test.afterAll(async () => {
  await database?.close();
  await Promise.all([app?.stop(), s3?.stop()]);
});

async function setJob(values: Record<string, unknown>, job = jobId) {
  const names = Object.keys(values);
  await database.run(
    `UPDATE "Job" SET ${names.map((n) => `"${n}" = ?`).join(", ")} WHERE id = ?`,
    ...Object.values(values),
    job,
  );
}

async function addJob(values: Record<string, unknown>) {
  const row = { id: crypto.randomUUID(), relationshipId: id, ...values };
  const names = Object.keys(row);
  await database.run(
    `INSERT INTO "Job" (${names.map((n) => `"${n}"`).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    ...Object.values(row),
  );
}

/**
 * The job's parts fit the width: the summary and the job sections end inside the window and
 * nothing in them sticks out (the history table scrolls inside its own container).
 */
async function expectJobPartsFit(page: Page) {
  const overflowing = await page.evaluate(() => {
    const parts = [
      document.querySelector('[data-testid="job-summary"]'),
      ...[...document.querySelectorAll("section")].filter((s) =>
        /^(Current job|Throughput|Job history)/.test(s.querySelector("h2")?.textContent ?? ""),
      ),
    ].filter((e): e is Element => e !== null);
    return parts
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth || e.scrollWidth > e.clientWidth)
      .map((e) => e.querySelector("h2")?.textContent ?? e.getAttribute("data-testid"));
  });
  expect(overflowing).toEqual([]);
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

test("while the totals are counted, the list and the details say what is done so far; then the share and the time left", async ({
  page,
}) => {
  const started = minutesAgo(1);
  await setJob({
    state: "RUNNING",
    startTime: timeOf(started),
    heartbeatAt: timeOf(new Date()),
    totalsKnown: false,
    filesTransferred: 1400,
    bytesTransferred: 54 * MIB,
    throughputCurrent: 2 * MIB,
  });
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  const row = page.getByTestId(`relationship-${id}`);
  await expect(row).toContainText("1,400 files, 54.0 MiB sent so far; counting…");
  const listBar = row.getByRole("progressbar", { name: "Progress of /reports/" });
  await expect(listBar).not.toHaveAttribute("aria-valuenow");
  await expect(listBar).toHaveAttribute("aria-valuetext", "1,400 files, 54.0 MiB sent so far; counting…");

  await page.goto(`${app.url}/copies/${id}`);
  const current = page.getByTestId("current-job");
  await expect(current).toContainText("1,400 files, 54.0 MiB sent so far; counting…");
  await expect(current.getByRole("progressbar", { name: "Progress of the current job" })).not.toHaveAttribute(
    "aria-valuenow",
  );
  await expect(current).toContainText(/Started \d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC · 1 min( \d+ s)? so far/);
  await expect(page.getByTestId("job-summary")).toHaveText(/^A job is running since .+ UTC\.$/);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/progress-details-counting-${width}.png`, fullPage: true });
    await expectJobPartsFit(page);
  }
  await expectAccessible(page);

  // The totals are in: 4,004 files, 110 MiB; 2,145 files and 7 MiB left, ending in about 40 s.
  await setJob({
    totalsKnown: true,
    filesTotal: 4004,
    bytesTotal: 110 * MIB,
    filesTransferred: 1859,
    bytesTransferred: 103 * MIB,
    estimatedEndTime: timeOf(new Date(Date.now() + 45_000)),
  });
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.reload();
  const bar = current.getByRole("progressbar", { name: "Progress of the current job" });
  await expect(bar).toHaveAttribute("aria-valuenow", "93.63");
  await expect(current).toContainText(
    /^93\.6% of the data · 7\.0 MiB and 2,145 files left · 2\.0 MiB\/s · about \d\d s left/,
  );
  for (const width of WIDTHS) {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme });
      await page.screenshot({
        path: `test-results/artifacts/progress-details-running-${width}-${colorScheme}.png`,
        fullPage: true,
      });
      await expectJobPartsFit(page);
      await expectAccessible(page, `details of a running job, ${width} px, ${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${app.url}/copies`);
  await expect(row).toContainText(
    /93\.6% of the data · 7\.0 MiB and 2,145 files left · 2\.0 MiB\/s · about \d\d s left/,
  );
  await expect(listBar).toHaveAttribute("aria-valuenow", "93.63");
  for (const width of WIDTHS) {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme });
      await page.screenshot({
        path: `test-results/artifacts/progress-list-running-${width}-${colorScheme}.png`,
        fullPage: true,
      });
      await expectAccessible(page, `list with a running job, ${width} px, ${colorScheme}`);
    }
  }
});

test("a finished job: the summary, the chart with its axes, the history with end time and duration", async ({
  page,
}) => {
  // The job above succeeded after 83.4 s with a chart's worth of samples.
  const started = minutesAgo(30);
  const ended = new Date(started.getTime() + 83_400);
  const series = Array.from({ length: 42 }, (_, i) => [i * 2, Math.round((6 + 4 * Math.sin(i / 4)) * MIB)]);
  await setJob({
    state: "SUCCEEDED",
    createdAt: timeOf(started),
    startTime: timeOf(started),
    endTime: timeOf(ended),
    filesTransferred: 4004,
    bytesTransferred: 110 * MIB,
    throughputSeries: JSON.stringify(series),
    estimatedEndTime: null,
  });
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.goto(`${app.url}/copies/${id}`);
  const summary = page.getByTestId("job-summary");
  await expect(summary).toHaveText(
    /^Last job succeeded at \d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC, took 1 min 23 s: 4,004 files \(110\.0 MiB\) copied, 0 unchanged\.$/,
  );
  const chart = page.getByTestId("throughput-chart");
  await expect(chart).toHaveAttribute("aria-label", "Throughput over 82 s, peak 10.0 MiB/s");
  await expect(chart.getByTestId("chart-rate-unit")).toHaveText("MiB/s");
  expect(await chart.getByTestId("chart-rate-tick").allTextContents()).toEqual(["0", "5", "10"]);
  expect(await chart.getByTestId("chart-time-tick").allTextContents()).toEqual(["0", "30 s", "60 s"]);
  await expect(chart).toContainText("time since the job started");
  const history = page.getByTestId("job-row");
  await expect(history).toHaveCount(1);
  await expect(history.getByTestId("job-ended")).toHaveText(/^\d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC$/);
  await expect(history.getByTestId("job-took")).toHaveText("1 min 23 s");
  await expect(history).toContainText("Succeeded");
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/progress-details-done-${width}.png`, fullPage: true });
    await expectJobPartsFit(page);
  }
  await expectAccessible(page);

  // Then a job failed after 0.4 s, too short for a chart: the summary names the last success.
  const failedAt = minutesAgo(2);
  await addJob({
    state: "FAILED",
    createdAt: timeOf(failedAt),
    startTime: timeOf(failedAt),
    endTime: timeOf(new Date(failedAt.getTime() + 400)),
    error: "The object store refused the credentials.",
    bytesTransferred: 3 * 1024,
  });
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.reload();
  await expect(summary).toContainText(
    /^Last job failed at .+ UTC, took 0\.4 s\.Last success: .+ UTC, took 1 min 23 s\.$/,
  );
  await expect(page.getByText("Not enough samples")).toHaveCount(0);
  await expect(page.getByTestId("throughput-note")).toHaveText(
    "The job took 0.4 s and moved 3.0 KiB (7.5 KiB/s on average): too short for a chart, which takes a sample every 2 s.",
  );
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText("Failed");
  await expect(history.first().getByTestId("job-took")).toHaveText("0.4 s");
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/progress-details-failed-${width}.png`, fullPage: true });
    await expectJobPartsFit(page);
  }
});
