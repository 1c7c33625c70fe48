import fs from "node:fs";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { expect, test, type Page } from "@playwright/test";
import { APP_ALERT, ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { signIn } from "../support/e2e";
import { listKeys } from "../support/engine-harness";
import { inspectionClient, startS3Server, S3RVER_KEY, S3RVER_SECRET, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
let app: AppServer;
let s3: S3TestServer;
let token: string;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["form-bucket"])]);
  token = await app.login();
  fs.mkdirSync(path.join(app.fsRoot, "reports/2026"), { recursive: true });
  for (let i = 0; i < 12; i++)
    fs.writeFileSync(path.join(app.fsRoot, "reports/2026", `r${i}.csv`), `a,b\n${i},${i * 2}\n`);
  for (const dir of ["keyboard", "twice", "restore"]) {
    fs.mkdirSync(path.join(app.fsRoot, dir));
    fs.writeFileSync(path.join(app.fsRoot, dir, "a.txt"), dir);
  }
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

const relationships = async () => (await app.call("GET", `${BASE}/`, { token })).json as Array<{ id: string }>;

async function openForm(page: Page) {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  await page.getByRole("link", { name: "Create Copy" }).click();
  await expect(page.getByRole("heading", { name: "Create Copy" })).toBeVisible();
}

async function fillForm(page: Page, bucket: string, directory = "/reports", folder = "reports/") {
  await page.getByLabel("Directory Path").fill(directory);
  await page.getByLabel("Bucket Name").fill(bucket);
  await page.getByLabel("Folder").fill(folder);
  await page.getByLabel("Access Key ID").fill(S3RVER_KEY);
  await page.getByLabel("Secret Access Key").fill(S3RVER_SECRET);
  if (!(await page.getByLabel("Object Store Address").isVisible()))
    await page.getByText("Advanced S3 Server Settings").click();
  await page.getByLabel("Object Store Address").fill("http://127.0.0.1");
  await page.getByLabel("Port").fill(String(s3.port));
  await page.getByLabel("Bucket Style").selectOption("BUCKET_STYLE_PATH");
}

async function shoot(page: Page, name: string) {
  // An open dialog is shot as the viewport shows it: a full page would leave its backdrop half-way.
  const fullPage = (await page.locator("dialog[open]").count()) === 0;
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.screenshot({ path: `test-results/artifacts/${name}.png`, fullPage });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `test-results/artifacts/${name}-390.png`, fullPage });
  // Nothing of the form or its dialog scrolls sideways at a phone's width.
  expect(await page.evaluate(() => document.querySelector("main")!.scrollWidth)).toBeLessThanOrEqual(390);
  const dialog = page.locator("dialog[open]");
  if ((await dialog.count()) > 0) expect(await dialog.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
  await page.setViewportSize({ width: 1366, height: 900 });
}

const fieldError = (page: Page, field: string) => page.locator(`[data-field-error="${field}"]`);

test("an administrator creates a copy through the form; a validation error appears beside its field before the review", async ({
  page,
}) => {
  await openForm(page);
  await expect(page.getByLabel("Directory Path")).toHaveValue("/");
  await expect(page.getByRole("button", { name: "Local ⇨ Remote" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByLabel("Object Store Address")).toBeHidden(); // collapsed until asked for

  await fillForm(page, "no-such-bucket");
  await expect(page.getByLabel("Object Store Address")).toHaveAttribute("placeholder", "https://s3.example.com");
  await expect(page.locator("#object_store_address-help")).toContainText("http://127.0.0.1");
  await page.screenshot({ path: "test-results/artifacts/console-create-form.png", fullPage: true });
  await page.getByRole("button", { name: "Create Copy" }).click();
  await expect(fieldError(page, "bucket")).toHaveText('Bucket "no-such-bucket" does not exist at this object store.');
  await expect(page.getByRole("dialog")).toBeHidden(); // no review of a copy that cannot be made
  await expect(page.getByLabel("Bucket Name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Bucket Name")).toBeFocused();

  await page.getByLabel("Bucket Name").fill("form-bucket");
  await page.getByRole("button", { name: "Create Copy" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Copy to S3?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("review-settings")).toHaveText(
    [
      "DirectionLocal ⇨ Remote (copy to S3)",
      "From directory/reports/",
      `Object storehttp://127.0.0.1:${s3.port}`,
      "Bucket stylePath",
      "Regionus-east-1",
      "To bucketform-bucket",
      "Folderreports/",
    ].join(""),
  );
  await dialog.getByRole("button", { name: "Yes, Create" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  const row = page.locator("tr", { hasText: "/reports/" });
  await expect(row.getByText("Succeeded")).toBeVisible({ timeout: 30_000 });
  expect(await listKeys(inspectionClient(s3.endpoint), "form-bucket", "reports/")).toHaveLength(12);
});

test("an empty form shows every problem at once, beside its field, in plain words, and focuses the first", async ({
  page,
}) => {
  await openForm(page);
  await page.getByLabel("Directory Path").fill("");
  await page.getByRole("button", { name: "Create Copy" }).click();
  await expect(page.getByTestId("error-summary")).toHaveText("4 problems to fix; each is shown beside its field.");
  await expect(fieldError(page, "local_directory_path")).toHaveText("Directory Path is required.");
  await expect(fieldError(page, "bucket")).toHaveText("Bucket Name is required.");
  await expect(fieldError(page, "access_key_id")).toHaveText("Access Key ID is required.");
  await expect(fieldError(page, "secret_access_key")).toHaveText("Secret Access Key is required.");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page.getByLabel("Directory Path")).toBeFocused();
  await expect(page.getByLabel("Secret Access Key")).toHaveAccessibleDescription("Secret Access Key is required.");
  await expect(page.locator("main")).not.toContainText("_"); // no API field name anywhere
  await expectAccessible(page);
  await shoot(page, "console-create-errors");

  // A problem in the collapsed settings opens them and takes the focus there.
  await fillForm(page, "form-bucket");
  await page.getByLabel("Object Store Address").fill("s3.example.com:9000");
  await page.getByText("Advanced S3 Server Settings").click(); // collapsed again
  await expect(page.getByLabel("Object Store Address")).toBeHidden();
  await page.getByRole("button", { name: "Create Copy" }).click();
  await expect(fieldError(page, "object_store_address")).toHaveText(
    '"s3.example.com:9000" is not a host name (give the port in Port).',
  );
  await expect(page.getByLabel("Object Store Address")).toBeFocused();
  await expect(page.getByTestId("error-summary")).toHaveText("One problem to fix; it is shown beside its field.");
});

test("Test connection runs the create's checks and creates nothing", async ({ page }) => {
  await openForm(page);
  await fillForm(page, "no-such-bucket", "/reports", "tested/");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(fieldError(page, "bucket")).toHaveText('Bucket "no-such-bucket" does not exist at this object store.');
  await expect(page.getByLabel("Bucket Name")).toBeFocused();

  const before = (await relationships()).length;
  await page.getByLabel("Bucket Name").fill("form-bucket");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("connection-ok")).toHaveText(
    `Connection works: http://127.0.0.1:${s3.port} answered and bucket "form-bucket" can be listed with these keys. Nothing was created.`,
  );
  await expect(page.locator("[data-field-error]")).toHaveCount(0);
  await expect(page.getByRole("dialog")).toBeHidden();
  expect((await relationships()).length).toBe(before);
  await shoot(page, "console-create-tested");
  // A change to the form makes the result stale: it goes.
  await page.getByLabel("Folder").fill("tested-2/");
  await expect(page.getByTestId("connection-ok")).toHaveCount(0);
});

test("keyboard only: a copy is created through the review dialog, which holds the focus until it closes", async ({
  page,
}) => {
  await openForm(page);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent);
  await page.getByLabel("Directory Path").focus();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("/keyboard");
  for (const [label, text] of [
    ["Bucket Name", "form-bucket"],
    ["Folder", "keyboard/"],
    ["Region", ""],
    ["Access Key ID", S3RVER_KEY],
    ["Secret Access Key", S3RVER_SECRET],
  ]) {
    await page.keyboard.press("Tab");
    await expect(page.getByLabel(label!, { exact: true })).toBeFocused();
    await page.keyboard.type(text!);
  }
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter"); // opens Advanced S3 Server Settings
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Object Store Address")).toBeFocused();
  await page.keyboard.type("http://127.0.0.1");
  await page.keyboard.press("Tab");
  await page.keyboard.type(String(s3.port));
  await page.keyboard.press("Tab"); // CA Certificate
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Bucket Style")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByLabel("Bucket Style")).toHaveValue("BUCKET_STYLE_PATH");
  await page.keyboard.press("Tab"); // Allow plain HTTP
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Create Copy" })).toBeFocused();
  await page.keyboard.press("Enter");

  const dialog = page.getByRole("dialog", { name: "Create Copy to S3?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading", { name: "Create Copy to S3?" })).toBeFocused();
  await expect(dialog).toContainText(`http://127.0.0.1:${s3.port}`);
  const cancel = dialog.getByRole("button", { name: "Cancel" });
  const confirm = dialog.getByRole("button", { name: "Yes, Create" });
  await page.keyboard.press("Tab");
  await expect(cancel).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(confirm).toBeFocused();
  // The focus stays in the dialog, both ways round: the form behind it is out of reach.
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press("Shift+Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await expectAccessible(page);
  await shoot(page, "console-create-review");

  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Create Copy" })).toBeFocused();
  expect(await focused()).toBe("Create Copy");

  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(confirm).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/copies$/);
  await expect(page.locator("tr", { hasText: "/keyboard/" }).getByText("Succeeded")).toBeVisible({ timeout: 30_000 });
});

test("a likely mistake is said in the review, and creating anyway stays possible", async ({ page }) => {
  await openForm(page);
  // The same directory to the same bucket folder as an existing copy.
  const first = await app.call("POST", `${BASE}/`, {
    token,
    body: {
      local_directory_path: "/twice",
      object_store_address: "http://127.0.0.1",
      port: s3.port,
      bucket: "form-bucket",
      bucket_style: "BUCKET_STYLE_PATH",
      object_folder: "twice/",
      access_key_id: S3RVER_KEY,
      secret_access_key: S3RVER_SECRET,
    },
  });
  expect(first.status).toBe(201);
  await fillForm(page, "form-bucket", "/twice", "twice/");
  await page.getByRole("button", { name: "Create Copy" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Copy to S3?" });
  await expect(dialog.locator('[data-warning="duplicate_relationship"]')).toHaveText(
    `Copy ${first.json.id} already copies "/twice/" to bucket "form-bucket", folder "twice/" at this object store.`,
  );
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // A copy from S3 of a folder that holds nothing.
  await page.getByRole("button", { name: "Local ⇦ Remote" }).click();
  await fillForm(page, "form-bucket", "/restore", "no-such-folder/");
  await page.getByRole("button", { name: "Create Copy" }).click();
  const pull = page.getByRole("dialog", { name: "Create Copy from S3?" });
  await expect(pull.locator('[data-warning="empty_object_folder"]')).toHaveText(
    'Folder "no-such-folder/" of bucket "form-bucket" holds no objects (or does not exist); copying from it brings nothing.',
  );
  await expectAccessible(page);
  await shoot(page, "console-create-warning");
  const before = (await relationships()).length;
  await pull.getByRole("button", { name: "Yes, Create Anyway" }).click();
  await expect(page).toHaveURL(/\/copies$/);
  expect((await relationships()).length).toBe(before + 1);
});

test("an object store address on the host's own network is refused beside its field, before any connection", async ({
  page,
}) => {
  await openForm(page);
  await fillForm(page, "form-bucket", "/reports", "metadata/");
  await page.getByLabel("Object Store Address").fill("https://169.254.169.254");
  await page.getByLabel("Port").fill("443");
  await page.getByRole("button", { name: "Create Copy" }).click();
  const error = fieldError(page, "object_store_address");
  await expect(error).toHaveText(
    "169.254.169.254 is a link-local address, refused unless SHIFT_ALLOWED_ENDPOINTS allows it.",
  );
  await expect(page.getByLabel("Object Store Address")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Object Store Address")).toBeFocused();
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
  await openForm(page);
  await page.getByRole("button", { name: "Local ⇦ Remote" }).click();
  await expect(page.getByRole("button", { name: "Local ⇦ Remote" })).toHaveAttribute("aria-pressed", "true");
  await fillForm(page, "form-bucket", "/incoming", "incoming/");
  await page.getByRole("button", { name: "Create Copy" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Copy from S3?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("warnings")).toHaveCount(0);
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
