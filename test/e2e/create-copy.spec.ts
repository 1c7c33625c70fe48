import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { expect, test, type Page } from "@playwright/test";
import { APP_ALERT, ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { signIn } from "../support/e2e";
import { listKeys } from "../support/engine-harness";
import { inspectionClient, startS3Server, S3RVER_KEY, S3RVER_SECRET, type S3TestServer } from "../support/s3-server";

let app: AppServer;
let s3: S3TestServer;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["form-bucket"])]);
  fs.mkdirSync(path.join(app.fsRoot, "reports/2026"), { recursive: true });
  for (let i = 0; i < 12; i++)
    fs.writeFileSync(path.join(app.fsRoot, "reports/2026", `r${i}.csv`), `a,b\n${i},${i * 2}\n`);
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

async function fillForm(page: Page, bucket: string, directory = "/reports", folder = "reports/") {
  await page.getByLabel("Directory Path").fill(directory);
  await page.getByLabel("Bucket Name").fill(bucket);
  await page.getByLabel("Folder").fill(folder);
  await page.getByLabel("Access Key ID").fill(S3RVER_KEY);
  await page.getByLabel("Secret Access Key").fill(S3RVER_SECRET);
  await page.getByText("Advanced S3 Server Settings").click();
  await page.getByLabel("Object Store Address").fill("http://127.0.0.1");
  await page.getByLabel("Port").fill(String(s3.port));
  await page.getByLabel("Bucket Style").selectOption("BUCKET_STYLE_PATH");
}

test("an administrator creates a copy through the form; a validation error appears beside its field", async ({
  page,
}) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.getByRole("link", { name: "Create Copy" }).click();
  await expect(page.getByRole("heading", { name: "Create Copy" })).toBeVisible();
  await expect(page.getByLabel("Directory Path")).toHaveValue("/");
  await expect(page.getByRole("button", { name: "Local ⇨ Remote" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByLabel("Object Store Address")).toBeHidden(); // collapsed until asked for

  await fillForm(page, "no-such-bucket");
  await page.screenshot({ path: "test-results/artifacts/console-create-form.png", fullPage: true });
  await page.getByRole("button", { name: "Create Copy" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Copy to S3?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Yes, Create" }).click();
  await expect(page.locator('[data-field-error="bucket"]')).toHaveText(
    'bucket "no-such-bucket" does not exist at this object store.',
  );
  await expect(page.getByLabel("Bucket Name")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Bucket Name").fill("form-bucket");
  await page.getByRole("button", { name: "Create Copy" }).click();
  await page.getByRole("dialog", { name: "Create Copy to S3?" }).getByRole("button", { name: "Yes, Create" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  const row = page.locator("tr", { hasText: "/reports/" });
  await expect(row.getByText("Succeeded")).toBeVisible({ timeout: 30_000 });
  expect(await listKeys(inspectionClient(s3.endpoint), "form-bucket", "reports/")).toHaveLength(12);
});

test("an object store address on the host's own network is refused beside its field, before any connection", async ({
  page,
}) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.getByRole("link", { name: "Create Copy" }).click();
  await fillForm(page, "form-bucket", "/reports", "metadata/");
  await page.getByLabel("Object Store Address").fill("https://169.254.169.254");
  await page.getByLabel("Port").fill("443");
  await page.getByRole("button", { name: "Create Copy" }).click();
  await page.getByRole("dialog", { name: "Create Copy to S3?" }).getByRole("button", { name: "Yes, Create" }).click();
  const error = page.locator('[data-field-error="object_store_address"]');
  await expect(error).toHaveText(
    "169.254.169.254 is a link-local address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
  );
  await expect(page.getByLabel("Object Store Address")).toHaveAttribute("aria-invalid", "true");
  await error.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/artifacts/console-address-refused.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await error.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/artifacts/console-address-refused-390.png" });
});

test("Local ⇦ Remote creates a copy from S3 that pulls the folder into the directory", async ({ page }) => {
  const s3Client = inspectionClient(s3.endpoint);
  for (let i = 0; i < 6; i++)
    await s3Client.send(
      new PutObjectCommand({
        Bucket: "form-bucket",
        Key: `incoming/batch-${i % 2}/item-${i}.json`,
        Body: `{"item":${i}}`,
      }),
    );
  fs.mkdirSync(path.join(app.fsRoot, "incoming"));
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.getByRole("link", { name: "Create Copy" }).click();
  await page.getByRole("button", { name: "Local ⇦ Remote" }).click();
  await expect(page.getByRole("button", { name: "Local ⇦ Remote" })).toHaveAttribute("aria-pressed", "true");
  await fillForm(page, "form-bucket", "/incoming", "incoming/");
  await page.getByRole("button", { name: "Create Copy" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Copy from S3?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Yes, Create" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  const row = page.locator("tr", { hasText: "/incoming/" });
  await expect(row.getByText("Local ⇦ Remote")).toBeVisible();
  await expect(row.getByText("Succeeded")).toBeVisible({ timeout: 30_000 });
  for (let i = 0; i < 6; i++) {
    expect(fs.readFileSync(path.join(app.fsRoot, "incoming", `batch-${i % 2}`, `item-${i}.json`), "utf8")).toBe(
      `{"item":${i}}`,
    );
  }
});

test("an observer gets no Create Copy action, and the form tells them why", async ({ page }) => {
  await signIn(page, app.url, OBSERVER.username, OBSERVER.password);
  await expect(page.getByRole("link", { name: "Create Copy" })).toHaveCount(0);
  await page.goto(`${app.url}/copies/new`);
  await expect(page.locator(APP_ALERT)).toContainText(
    "Creating a copy needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.",
  );
});
