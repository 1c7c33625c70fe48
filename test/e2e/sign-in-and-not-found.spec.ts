import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { withAppDatabase } from "../support/app-database";
import { APP_ALERT, ADMIN_PASSWORD, startApp, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

let app: AppServer;
let s3: S3TestServer;

test.beforeAll(async () => {
  // No worker: the copies made here only need to exist.
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server(["errors-bucket"])]);
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

test("a wrong password keeps the username, empties the password and puts the cursor there", async ({ page }) => {
  await page.goto(`${app.url}/signin`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(APP_ALERT)).toHaveText("Invalid username or password.");
  await expect(page.getByLabel("Username")).toHaveValue("admin");
  await expect(page.getByLabel("Password")).toHaveValue("");
  await expect(page.getByLabel("Password")).toBeFocused();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  // Only the password is typed again.
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Copy to/from S3" })).toBeVisible();
});

test("an unknown copy and an unknown page answer 404 in the console's own style, with a way back", async ({ page }) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-copy-id"]) {
    const response = await page.goto(`${app.url}/copies/${id}`);
    expect(response!.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "No such copy" })).toBeVisible();
    await expect(page.getByText("It may have been deleted")).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible(); // the console's header
    await expect(page.getByText("This page could not be found.")).toHaveCount(0); // not Next.js's default
  }
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to Copy to/from S3" }).click();
  await expect(page).toHaveURL(`${app.url}/copies`);
  await expect(page.getByRole("heading", { name: "Copy to/from S3" })).toBeVisible();

  const response = await page.goto(`${app.url}/no-such-page`);
  expect(response!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to Copy to/from S3" })).toBeVisible();
});

test("a page the server fails to prepare shows the console's error page, without the server's details", async ({
  page,
}) => {
  fs.mkdirSync(path.join(app.fsRoot, "broken"));
  const token = await app.login();
  const created = await app.call("POST", "/v3/replication/object-relationships/", {
    token,
    body: relationshipBody(s3.port, { local_directory_path: "/broken", bucket: "errors-bucket" }),
  });
  expect(created.status, created.text).toBe(201);
  // The queued job's row cannot be read (its chart samples are not JSON): preparing the page throws.
  await withAppDatabase(app, (database) =>
    database.run(`UPDATE "Job" SET "throughputSeries" = '[not json' WHERE "relationshipId" = ?`, created.json.id),
  );

  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.goto(`${app.url}/copies/${created.json.id}`);
  await expect(page.getByRole("heading", { name: "This page could not be shown" })).toBeVisible();
  await expect(page.getByText("Trying again may work")).toBeVisible();
  await expect(page.getByText(/JSON|not json|Unexpected/)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to Copy to/from S3" }).click();
  await expect(page.getByRole("heading", { name: "Copy to/from S3" })).toBeVisible();
});
