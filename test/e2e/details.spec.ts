import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page, type Route } from "@playwright/test";
import { APP_ALERT, ADMIN_PASSWORD, OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
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

/**
 * Holds the page's server actions (POSTs carrying a Next-Action header) until the returned
 * function is called: what a button shows while its action is under way can then be looked at
 * without racing it.
 */
async function holdActions(page: Page): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const passed: Promise<void>[] = [];
  const match = (url: URL) => url.pathname.startsWith("/copies/");
  const handler = async (route: Route) => {
    const request = route.request();
    if (request.method() === "POST" && (await request.headerValue("next-action"))) {
      const done = held.then(() => route.continue());
      passed.push(done);
      return done;
    }
    await route.continue();
  };
  await page.route(match, handler);
  return async () => {
    release();
    // Removed only once the held actions have gone on: removing it first would answer them itself.
    await Promise.all(passed);
    await page.unroute(match, handler);
  };
}

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

  // Delete asks first, in a modal dialog: the focus goes to Cancel, stays inside, and comes back.
  const deleteButton = page.getByRole("button", { name: "Delete", exact: true });
  await deleteButton.click();
  const dialog = page.getByRole("dialog", { name: "Delete this copy?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Yes, Delete" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(dialog.getByRole("button", { name: "Yes, Delete" })).toBeFocused();
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/artifacts/console-details-delete-dialog-390.png" });
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();
  // Deleting a running copy is refused in the console's words (its button is Stop, not abort-replication).
  await deleteButton.click();
  await dialog.getByRole("button", { name: "Yes, Delete" }).click();
  await expect(page.locator(APP_ALERT, { hasText: "Delete" })).toHaveText(
    "A job of this copy is running; Stop it, then Delete the copy.",
  );
  await expect(page.locator("main")).not.toContainText("abort-replication");
  await expect(deleteButton).toBeFocused();

  // Stop says "Stopping…" at once, and Delete waits, while the server has not answered yet.
  let release = await holdActions(page);
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(page.getByRole("button", { name: "Stopping…" })).toBeVisible();
  await expect(deleteButton).toHaveAttribute("aria-disabled", "true");
  await page.screenshot({ path: "test-results/artifacts/console-details-stopping.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/artifacts/console-details-stopping-390.png", fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  await deleteButton.click({ force: true }); // aria-disabled: pressed, it opens nothing while the stop is under way
  await expect(dialog).toBeHidden();
  await release();
  await expect(page.getByText("No job is running.")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Stop", exact: true })).toBeDisabled();
  const newest = page.getByTestId("job-row").first();
  await expect(newest).toContainText("Stopped");
  await expect(newest).toContainText("The job was stopped before it finished.");
  await expect(page.getByTestId("job-summary")).toContainText(
    /^Last job was stopped at .+ UTC, took .+\.No job of this copy has succeeded yet\.$/,
  );

  proxy.interceptor = undefined;
  release = await holdActions(page);
  await page.getByRole("button", { name: "Repeat" }).click();
  await expect(page.getByRole("button", { name: "Starting…" })).toBeVisible();
  await release();
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
  await expect(page.getByTestId("log-row").filter({ hasText: "The job succeeded." }).last()).toBeVisible();
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/console-details-done-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });

  await deleteButton.click();
  await expect(dialog).toContainText("Nothing in the bucket or in the local directory is deleted.");
  await dialog.getByRole("button", { name: "Yes, Delete" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  await expect(page.getByText("No copies yet.")).toBeVisible();
  expect(await listKeys(inspectionClient(s3.endpoint), "details-bucket", "media/")).toHaveLength(FILES);
});
