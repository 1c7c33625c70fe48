import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { expectAccessible } from "../support/axe";
import { ADMIN_PASSWORD, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
let app: AppServer;
let s3: S3TestServer;
let id: string;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["log-bucket"])]);
  const token = await app.login();
  const dir = path.join(app.fsRoot, "logged");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kept.txt"), "kept");
  // A link is never followed: the job skips it, and says so in its log.
  fs.symlinkSync("/etc/hostname", path.join(dir, "a-link-that-is-skipped"));
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: relationshipBody(s3.port, { local_directory_path: "/logged", bucket: "log-bucket", object_folder: "l/" }),
  });
  id = created.json.id;
  await waitForJobEnd(app, token, id);
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

for (const [label, width] of [
  ["desktop", 1366],
  ["phone", 390],
] as const) {
  test(`the replication log reads as a table with a level filter and a download (${label})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, app.url, "admin", ADMIN_PASSWORD);
    await page.goto(`${app.url}/copies/${id}`);
    // The table at desktop width, one card per line on a phone.
    const rows = page.getByTestId(width > 640 ? "log-row" : "log-card");
    await expect(rows.filter({ hasText: "The job started." })).toHaveCount(1);
    const skipped = rows.filter({ hasText: "Skipped: symbolic link." });
    await expect(skipped).toHaveCount(1);
    await expect(skipped).toContainText("a-link-that-is-skipped");
    await expect(skipped).toContainText("Warning");
    await expect(rows.filter({ hasText: "The job succeeded." })).toHaveCount(1);
    await page.screenshot({ path: `test-results/replication-log-${label}.png`, fullPage: true });

    await page.getByLabel("Show").selectOption({ label: "Warnings and errors" });
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText("Skipped: symbolic link.");
    await page.getByLabel("Show").selectOption({ label: "Errors only" });
    await expect(rows).toHaveCount(0);
    await expect(page.getByText("No line at this level.")).toBeVisible();

    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download the whole log" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`replication-${id}.log`);
    const lines = fs
      .readFileSync(await download.path(), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string });
    expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(["job-start", "file-skipped", "job-end"]));

    await expectAccessible(page);
  });
}

test("the log's download is a console page: without a session it leads to sign-in, never to the log", async ({
  request,
}) => {
  const anonymous = await request.get(`${app.url}/copies/${id}/log`, { maxRedirects: 0 });
  expect(anonymous.status()).toBe(307);
  expect(new URL(anonymous.headers()["location"]!, app.url).pathname).toBe("/signin");
  expect(await anonymous.text()).not.toContain("job-start");
});
