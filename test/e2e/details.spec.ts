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
  await expect(page.getByTestId("current-job")).toContainText("files left", { timeout: 15_000 });
  await expect(page.getByTestId("throughput-chart")).toHaveAttribute(
    "aria-label",
    /^Throughput over \d+ s, peak .+\/s$/,
    { timeout: 15_000 },
  );
  await page.screenshot({ path: "test-results/artifacts/console-details-running.png", fullPage: true });
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByText("No job is running.")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("job-row").first()).toContainText("ABORTED");
  await expect(page.getByTestId("job-row").first()).toContainText("The job was stopped before it finished.");

  proxy.interceptor = undefined;
  await page.getByRole("button", { name: "Repeat" }).click();
  await expect(page.getByTestId("job-row").first()).toContainText("SUCCEEDED", { timeout: 30_000 });
  const last = await waitForJobEnd(app, token, id);
  expect(Number(last.last_job.job_progress.files_unchanged)).toBeGreaterThan(0);
  await expect(page.getByTestId("job-row").first()).toContainText(
    `${last.last_job.job_progress.files_unchanged} files`,
  );
  await expect(page.locator("pre")).toContainText('"event":"job-end"');
  await page.screenshot({ path: "test-results/artifacts/console-details-done.png", fullPage: true });

  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this copy?" });
  await expect(dialog).toContainText("Nothing in the bucket or in the local directory is deleted.");
  await dialog.getByRole("button", { name: "Yes, Delete" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  await expect(page.getByText("No copies yet.")).toBeVisible();
  expect(await listKeys(inspectionClient(s3.endpoint), "details-bucket", "media/")).toHaveLength(FILES);
});
