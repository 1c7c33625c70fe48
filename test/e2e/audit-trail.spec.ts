import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

let app: AppServer;
let s3: S3TestServer;
let id: string;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server(["audit-bucket"])]);
  const token = await app.login();
  fs.mkdirSync(path.join(app.fsRoot, "audited"), { recursive: true });
  const created = await app.call("POST", "/v3/replication/object-relationships/", {
    token,
    body: relationshipBody(s3.port, { local_directory_path: "/audited", bucket: "audit-bucket", object_folder: "a/" }),
  });
  id = created.json.id;
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

for (const [label, width] of [
  ["desktop", 1366],
  ["phone", 390],
] as const) {
  test(`the audit trail links its targets, reads its details, and downloads as CSV (${label})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, app.url, "admin", ADMIN_PASSWORD);
    await page.goto(`${app.url}/admin/audit`);
    const created = page.getByTestId("audit-row").filter({ hasText: "relationship.create" });
    await expect(created).toHaveCount(1);
    await expect(created).toContainText("bucket: audit-bucket");
    await expect(created).toContainText("local directory path: /audited/");
    await expect(page.getByTestId("audit-row").filter({ hasText: "session.sign-in" }).first()).toBeVisible();
    await expectAccessible(page, `audit trail (${label})`);
    await page.screenshot({ path: `test-results/audit-trail-${label}.png`, fullPage: true });

    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const csv = fs.readFileSync(await (await downloading).path(), "utf8").split("\r\n");
    expect(csv[0]).toBe('"time (UTC)","actor","action","target","detail"');
    expect(csv.some((row) => row.includes(`,"admin","relationship.create","${id}",`))).toBe(true);

    await created.getByRole("link", { name: id }).click();
    await expect(page).toHaveURL(`${app.url}/copies/${id}`);
  });
}

test("the CSV export follows the filters, and an observer gets none", async ({ page, browser }) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  // As a link the browser follows from the console's own page.
  const sameOrigin = { headers: { "sec-fetch-site": "same-origin" } };
  const filtered = await page.request.get(`${app.url}/admin/audit/export?action=relationship.`, sameOrigin);
  expect(filtered.status()).toBe(200);
  expect(filtered.headers()["content-disposition"]).toBe('attachment; filename="audit-trail.csv"');
  const rows = (await filtered.text()).trim().split("\r\n").slice(1);
  expect(rows.length).toBe(1);
  expect(rows[0]).toContain("relationship.create");

  const observer = await (await browser.newContext()).newPage();
  await signIn(observer, app.url, OBSERVER.username, OBSERVER.password);
  const refused = await observer.request.get(`${app.url}/admin/audit/export`, sameOrigin);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).description).toBe(
    "This action needs the PRIVILEGE_AUDIT_READ privilege, which your role does not grant.",
  );
});
