import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { relationshipBody } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

let app: AppServer;
let s3: S3TestServer;
let id: string;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["a11y-bucket"])]);
  fs.mkdirSync(path.join(app.fsRoot, "docs"));
  fs.writeFileSync(path.join(app.fsRoot, "docs/a.txt"), "a");
  const token = await app.login();
  const created = await app.call("POST", "/v3/replication/object-relationships/", {
    token,
    body: relationshipBody(s3.port, { local_directory_path: "/docs", bucket: "a11y-bucket" }),
  });
  id = created.json.id;
  await waitForJobEnd(app, token, id);
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

test("the main pages have no serious or critical accessibility violations", async ({ page }) => {
  await page.goto(`${app.url}/signin`);
  await expectAccessible(page);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("tbody").getByText("Succeeded")).toBeVisible();
  await expectAccessible(page);
  await page.goto(`${app.url}/copies/new`);
  await page.getByText("Advanced S3 Server Settings").click();
  await expectAccessible(page);
  await page.goto(`${app.url}/copies/${id}`);
  await expect(page.getByRole("heading", { name: "Job history" })).toBeVisible();
  await expectAccessible(page);
  await page.goto(`${app.url}/admin/users`);
  await expectAccessible(page);
  await page.goto(`${app.url}/admin/audit`);
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await expectAccessible(page);
});
