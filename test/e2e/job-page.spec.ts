import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { openAppDatabase } from "../support/app-database";
import { expectAccessible } from "../support/axe";
import { ADMIN_PASSWORD, APP_ALERT, OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const FOLDER = "j/";
let app: AppServer;
let s3: S3TestServer;
let id: string;
let jobId: string;
const tooLong = `${"d".repeat(200)}/`.repeat(4) + "x".repeat(1024 - FOLDER.length - 4 * 201);

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["job-bucket"])]);
  const token = await app.login();
  const dir = path.join(app.fsRoot, "jobbed");
  fs.mkdirSync(path.dirname(path.join(dir, tooLong)), { recursive: true });
  // One key too long for S3 (the one file that cannot be copied), a link and a FIFO (skipped), one file that copies.
  fs.writeFileSync(path.join(dir, tooLong), "too long");
  fs.writeFileSync(path.join(dir, "kept.txt"), "kept");
  fs.symlinkSync("/etc/hostname", path.join(dir, "a-link"));
  execFileSync("mkfifo", [path.join(dir, "a-pipe")]);
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: relationshipBody(s3.port, { local_directory_path: "/jobbed", bucket: "job-bucket", object_folder: FOLDER }),
  });
  id = created.json.id;
  jobId = (await waitForJobEnd(app, token, id)).last_job.job_id;
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

for (const [label, width, scheme] of [
  ["desktop", 1366, "light"],
  ["desktop-dark", 1366, "dark"],
  ["phone", 390, "light"],
  ["phone-dark", 390, "dark"],
] as const) {
  test(`a job with one failure reads "Completed with 1 error" and its page lists what it could not copy and skipped (${label})`, async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, app.url, "admin", ADMIN_PASSWORD);
    await page.goto(`${app.url}/copies/${id}`);
    await expect(page.getByTestId("job-summary")).toContainText("Last job completed with 1 error at");
    await expect(page.getByTestId("last-job-failures")).toContainText("xxxxxxxx");

    await page.getByTestId("job-row").first().getByRole("link", { name: "Completed with 1 error" }).click();
    await expect(page).toHaveURL(`${app.url}/copies/${id}/jobs/${jobId}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Job of");
    const facts = page.getByTestId("job-facts");
    await expect(facts).toContainText("Completed with 1 error");
    await expect(facts).toContainText("1 symbolic link, 1 FIFO");
    await expect(facts).toContainText("1 file (8 B)");
    // What DataSync calls phases: the wait in the queue, and when the count ahead of the copying was done.
    await expect(facts).toContainText(/Waited to start\s*\d+\.\d s/);
    await expect(facts).toContainText(/Counted every file\s*\d+\.\d s after the start \(copying began at once\)/);
    await page.screenshot({ path: `test-results/job-page-${label}.png`, fullPage: true });
    // The error names the 1,024-byte path: three lines of it, and the rest on request.
    const error = page.getByTestId("job-error");
    await expect(error).toContainText("1 file could not be copied");
    const clampedHeight = (await error.boundingBox())!.height;
    expect(clampedHeight).toBeLessThan(120);
    await error.getByRole("button", { name: "Show all" }).click();
    await expect(error.getByRole("button", { name: "Show less" })).toHaveAttribute("aria-expanded", "true");
    expect((await error.boundingBox())!.height).toBeGreaterThan(clampedHeight);

    const failed = page.getByRole("region", { name: "Files the job could not copy", exact: true });
    await expect(failed).toContainText(tooLong);
    await expect(failed).toContainText("S3 keys must be shorter than 1024");
    const skipped = page.getByRole("region", { name: "Entries the job skipped", exact: true });
    await expect(skipped.getByRole("row", { name: /a-link/ })).toContainText("symbolic link");
    await expect(skipped.getByRole("row", { name: /a-pipe/ })).toContainText("FIFO");

    // The 1,024-byte path wraps: the page never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);

    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download both lists as CSV" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`job-${jobId}-entries.csv`);
    const rows = fs
      .readFileSync(await download.path(), "utf8")
      .trimEnd()
      .split("\r\n");
    expect(rows).toHaveLength(4);

    await expectAccessible(page);
  });
}

test("a job id that is not this copy's shows the console's not-found page with a way back", async ({ page }) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  const answer = await page.goto(`${app.url}/copies/${id}/jobs/00000000-0000-4000-8000-000000000000`);
  expect(answer?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "No such job" })).toBeVisible();
  await page.getByRole("link", { name: "Back to Copy to/from S3" }).click();
  await expect(page).toHaveURL(`${app.url}/copies`);
});

test("a signed-in user whose role lacks the read privilege sees none of a copy's pages, and is told why", async ({
  browser,
}) => {
  const database = await openAppDatabase(app);
  const held = await database.all<{ privilege: string }>(
    `SELECT privilege FROM "RolePrivilege" WHERE "roleId" = 'observers'`,
  );
  await database.run(`DELETE FROM "RolePrivilege" WHERE "roleId" = 'observers'`);
  try {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, app.url, OBSERVER.username, OBSERVER.password);
    for (const address of ["/copies", `/copies/${id}`, `/copies/${id}/jobs/${jobId}`]) {
      await page.goto(app.url + address);
      await expect(page.locator(APP_ALERT)).toContainText("You lack the privilege for this page.");
      await expect(page.locator(APP_ALERT)).toContainText("PRIVILEGE_REPLICATION_OBJECT_READ");
      await expect(page.locator("main")).not.toContainText("jobbed");
    }
  } finally {
    for (const { privilege } of held)
      await database.run(`INSERT INTO "RolePrivilege" ("roleId", privilege) VALUES ('observers', ?)`, privilege);
    await database.close();
  }
});
