import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startS3Server, type RunningS3Server } from "@/lib/demo/s3/server";
import { ADMIN_PASSWORD, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { relationshipBody, signIn } from "../support/e2e";
import { S3RVER_KEY, S3RVER_SECRET } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
const NEW_KEY = "ROTATEDKEY";
const NEW_SECRET = "rotated-secret-for-the-console";
let app: AppServer;
let store: RunningS3Server;
let storeDirectory: string;
let id: string;

test.beforeAll(async () => {
  storeDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-edit-credentials-"));
  [app, store] = await Promise.all([
    startApp(),
    startS3Server({
      directory: storeDirectory,
      buckets: ["keys-bucket"],
      credentials: [
        { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET },
        { accessKeyId: NEW_KEY, secretAccessKey: NEW_SECRET },
      ],
      host: "127.0.0.1",
    }),
  ]);
  const token = await app.login();
  fs.mkdirSync(path.join(app.fsRoot, "keys"), { recursive: true });
  fs.writeFileSync(path.join(app.fsRoot, "keys/a.txt"), "a");
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: relationshipBody(store.port, { local_directory_path: "/keys", bucket: "keys-bucket", object_folder: "k/" }),
  });
  id = created.json.id;
  await waitForJobEnd(app, token, id);
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), store?.close()]);
  fs.rmSync(storeDirectory, { recursive: true, force: true });
});

for (const [label, width] of [
  ["desktop", 1366],
  ["phone", 390],
] as const) {
  test(`an administrator rotates a copy's keys; a wrong secret is marked on the secret (${label})`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, app.url, "admin", ADMIN_PASSWORD);
    await page.goto(`${app.url}/copies/${id}`);
    const opener = page.getByRole("button", { name: "Edit credentials" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Edit credentials" });
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(opener).toBeFocused();

    await opener.click();
    await dialog.getByLabel("Access Key ID").fill(NEW_KEY);
    await dialog.getByLabel("Secret Access Key").fill("not-the-secret");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog.locator("#secret_access_key-error")).toHaveText(
      "Secret Access Key is wrong for this access key (SignatureDoesNotMatch).",
    );
    await expect(dialog.getByLabel("Secret Access Key")).toHaveAttribute("aria-invalid", "true");
    await expectAccessible(page, `edit credentials with an error (${label})`);
    await page.screenshot({ path: `test-results/edit-credentials-error-${label}.png` });

    await dialog.getByLabel("Secret Access Key").fill(NEW_SECRET);
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "the next job uses them" })).toBeVisible();
    await expect(page.getByText(NEW_KEY, { exact: true })).toBeVisible();
    await page.screenshot({ path: `test-results/edit-credentials-done-${label}.png`, fullPage: true });

    // Back to the first key for the next width.
    const token = await app.login();
    const back = await app.call("PATCH", `${BASE}/${id}`, {
      token,
      body: { access_key_id: S3RVER_KEY, secret_access_key: S3RVER_SECRET },
    });
    expect(back.status).toBe(200);
  });
}
