import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { listKeys } from "../support/engine-harness";
import { S3Proxy } from "../support/s3-proxy";
import { relationshipBody, signIn } from "../support/e2e";
import { inspectionClient, startS3Server, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
let app: AppServer;
let s3: S3TestServer;
let proxy: S3Proxy;
let token: string;
let id: string;
const FILES = 640;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["details-bucket"])]);
  proxy = new S3Proxy(s3.port);
  await proxy.start();
  token = await app.login();
  // Long enough (20 rounds of 32 slow PUTs, about 30 s) to be still running when the second test looks.
  for (let i = 0; i < FILES; i++) {
    fs.mkdirSync(path.join(app.fsRoot, "media", `m${i % 6}`), { recursive: true });
    fs.writeFileSync(path.join(app.fsRoot, "media", `m${i % 6}`, `clip${i}.txt`), `clip ${i}`);
  }
  proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 1500 } : undefined); // a slow store
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: relationshipBody(proxy.port, {
      local_directory_path: "/media",
      bucket: "details-bucket",
      object_folder: "media/",
    }),
  });
  id = created.json.id;
});

test.afterAll(async () => {
  await proxy?.stop();
  await Promise.all([app?.stop(), s3?.stop()]);
});

test("an observer sees the details but no actions", async ({ page }) => {
  await signIn(page, app.url, OBSERVER.username, OBSERVER.password);
  await page.goto(`${app.url}/copies/${id}`);
  await expect(page.getByRole("heading", { name: "Configuration" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Repeat" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
});

test("an administrator stops a long job, repeats it, and deletes the copy with confirmation", async ({ page }) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.getByRole("link", { name: "/media/" }).click();
  const current = page.getByTestId("current-job");
  await expect(current).toContainText("files left", { timeout: 15_000 });
  // The details page has the list's bar, and the time left has its unit (never "0 s" with files to go).
  await expect(current.getByRole("progressbar", { name: "Progress of the current job" })).toHaveAttribute(
    "aria-valuenow",
    /^\d+(\.\d+)?$/,
  );
  await expect(current).toContainText(/files left · .+\/s · (about \d+ s|\d+ min( \d+ s)?|\d+ h( \d+ min)?) left/, {
    timeout: 10_000,
  });
  const chart = page.getByTestId("throughput-chart");
  await expect(chart).toHaveAttribute("aria-label", /^Throughput over \d+ s, peak .+\/s$/, { timeout: 15_000 });
  await expect(chart.getByTestId("chart-rate-unit")).toHaveText(/^(B|KiB|MiB)\/s$/);
  expect(await chart.getByTestId("chart-time-tick").count()).toBeGreaterThanOrEqual(2);
  expect(await chart.getByTestId("chart-rate-tick").count()).toBeGreaterThanOrEqual(2);
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/console-details-running-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByText("No job is running.")).toBeVisible({ timeout: 10_000 });
  const newest = page.getByTestId("job-row").first();
  await expect(newest).toContainText("Stopped");
  await expect(newest).toContainText("The job was stopped before it finished.");
  await expect(page.getByTestId("job-summary")).toContainText(
    /^Last job was stopped at .+ UTC, took .+\.No job of this copy has succeeded yet\.$/,
  );

  proxy.interceptor = undefined;
  await page.getByRole("button", { name: "Repeat" }).click();
  await expect(newest).toContainText("Succeeded", { timeout: 30_000 });
  const last = await waitForJobEnd(app, token, id);
  expect(Number(last.last_job.job_progress.files_unchanged)).toBeGreaterThan(0);
  await expect(newest).toContainText(`${last.last_job.job_progress.files_unchanged} files`);
  // Each job of the history has its end and how long it took.
  for (const row of await page.getByTestId("job-row").all()) {
    await expect(row.getByTestId("job-ended")).toHaveText(/^\d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC$/);
    await expect(row.getByTestId("job-took")).toHaveText(/^(\d+\.\d s|\d+ s|\d+ min( \d+ s)?)$/);
  }
  await expect(page.getByTestId("job-summary")).toHaveText(
    /^Last job succeeded at .+ UTC, took .+: [\d,]+ files \(.+\) copied, [\d,]+ unchanged\.$/,
  );
  // A finished job shows its chart, or says it was too short for one; it never waits for samples.
  await expect(page.getByText("Not enough samples")).toHaveCount(0);
  await expect(page.getByTestId("throughput-chart").or(page.getByTestId("throughput-note"))).toBeVisible();
  await expect(page.locator("pre")).toContainText('"event":"job-end"');
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/console-details-done-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });

  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this copy?" });
  await expect(dialog).toContainText("Nothing in the bucket or in the local directory is deleted.");
  await dialog.getByRole("button", { name: "Yes, Delete" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  await expect(page.getByText("No copies yet.")).toBeVisible();
  expect(await listKeys(inspectionClient(s3.endpoint), "details-bucket", "media/")).toHaveLength(FILES);
});
