import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { APP_ALERT, ADMIN_PASSWORD, OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { S3Proxy } from "../support/s3-proxy";
import { relationshipBody, signIn } from "../support/e2e";
import { signInFrom } from "../support/sign-in-from";
import { startS3Server, type S3TestServer } from "../support/s3-server";

const BASE = "/v3/replication/object-relationships";
let app: AppServer;
let s3: S3TestServer;
let proxy: S3Proxy;
let token: string;

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["console-bucket"])]);
  proxy = new S3Proxy(s3.port);
  await proxy.start();
  token = await app.login();
  const dir = path.join(app.fsRoot, "site");
  for (let i = 0; i < 150; i++) {
    fs.mkdirSync(path.join(dir, `p${i % 10}`), { recursive: true });
    fs.writeFileSync(path.join(dir, `p${i % 10}`, `page${i}.html`), `<p>${i}</p>`);
  }
});

test.afterAll(async () => {
  await proxy?.stop();
  await Promise.all([app?.stop(), s3?.stop()]);
});

async function signInFromCopies(page: Page, username: string, password: string) {
  await page.goto(`${app.url}/copies`);
  await expect(page).toHaveURL(/\/signin/); // a page that needs a session sends you to sign in
  await signIn(page, app.url, username, password);
}

test("an administrator signs in, watches a copy's progress bar advance to completion, and signs out", async ({
  page,
}) => {
  await signInFromCopies(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByText("Cluster › Copy to/from S3")).toBeVisible();
  await expect(page.getByText("No copies yet.")).toBeVisible();

  proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 1200 } : undefined); // about 6 s of work
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: relationshipBody(proxy.port, {
      local_directory_path: "/site",
      bucket: "console-bucket",
      object_folder: "site/",
    }),
  });
  expect(created.status).toBe(201);

  const row = page.getByTestId(`relationship-${created.json.id}`);
  await expect(row.getByText("Running")).toBeVisible();
  const bar = row.getByRole("progressbar");
  await expect(bar).toHaveAttribute("aria-valuenow", /\d/);
  await expect(row.getByText(/files left/)).toBeVisible();
  // The time left has its unit, and is never "0 s" while files remain.
  await expect(row.getByTestId("job-progress")).toContainText(
    /files left · .+\/s · (about \d+ s|\d+ min( \d+ s)?|time left not known yet|a few seconds left)/,
  );
  await expect(row.getByTestId("job-progress")).not.toContainText(/\b0 ?s left|0m0s/);
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/artifacts/console-list-running-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  // Read the bar as the page updates it, without reloading, until the job is done.
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        const value =
          (await bar.count()) > 0 ? await bar.getAttribute("aria-valuenow", { timeout: 500 }).catch(() => null) : null;
        if (value) seen.push(Number(value));
        return (await row.getByText("Succeeded").count()) > 0;
      },
      { timeout: 40_000, intervals: [250] },
    )
    .toBe(true);
  expect(new Set(seen).size).toBeGreaterThan(1);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  await page.screenshot({ path: "test-results/artifacts/console-list-done.png", fullPage: true });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto(`${app.url}/copies`);
  await expect(page).toHaveURL(/\/signin/);
  // Signing out of the console ends the user's bearer tokens too.
  expect(await app.call("GET", `${BASE}/`, { token })).toMatchObject({
    status: 401,
    json: { description: "The bearer token is invalid or has expired; sign in again." },
  });
  token = await app.login();
});

test("a wrong password is refused on the sign-in page", async ({ page }) => {
  await page.goto(`${app.url}/signin`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(APP_ALERT)).toHaveText("Invalid username or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("a throttled name is told how long to wait on the sign-in page", async ({ page }) => {
  // Wrong guesses through the API, each after the last lock ran out, until the name is locked for
  // 8 s or more (a locked name's attempts do not lengthen the lock, so quick guesses would not).
  for (let i = 0; i < 40; i++) {
    const guess = await app.call("POST", "/v1/session/login", {
      body: { username: "someone-guessing", password: `guess-${i}` },
    });
    if (guess.status !== 429) continue;
    const seconds = Number(/try again in (\d+) second/.exec(guess.json.description)?.[1]);
    if (seconds >= 8) break;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));
  }
  await page.goto(`${app.url}/signin`);
  await page.getByLabel("Username").fill("someone-guessing");
  await page.getByLabel("Password").fill("another guess");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(APP_ALERT)).toHaveText(
    /^Too many failed sign-ins for this account; try again in \d+ seconds?\.$/,
  );
});

test("a name locked for another address still signs in on the console", async ({ page }) => {
  for (let i = 0; i < 5; i++)
    expect((await signInFrom(app.url, "127.0.0.7", OBSERVER.username, `guess-${i}`)).status).toBe(401);
  expect((await signInFrom(app.url, "127.0.0.7", OBSERVER.username, OBSERVER.password)).json.description).toMatch(
    /^Too many failed sign-ins for this account; try again in \d+ seconds?\.$/,
  );
  await signIn(page, app.url, OBSERVER.username, OBSERVER.password);
  await expect(page.getByText(`${OBSERVER.username} (read only)`)).toBeVisible();
});

test("an observer sees the copies read-only, and the server refuses a forged action from that session", async ({
  page,
}) => {
  await signInFromCopies(page, OBSERVER.username, OBSERVER.password);
  await expect(page.getByText(`${OBSERVER.username} (read only)`)).toBeVisible();
  proxy.interceptor = undefined;
  const created = await app.call("POST", `${BASE}/`, {
    token,
    body: relationshipBody(proxy.port, {
      local_directory_path: "/site",
      bucket: "console-bucket",
      object_folder: "observed/",
    }),
  });
  const status = created.json;
  await waitForJobEnd(app, token, status.id);
  await expect(page.getByTestId(`relationship-${status.id}`)).toBeVisible();
  // The browser's session works with the API: reads succeed, writes are refused.
  const forged = await page.evaluate(async (url) => {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" } });
    return { status: response.status, body: await response.json() };
  }, `${BASE}/${status.id}/replicate`);
  expect(forged.status).toBe(403);
  expect(forged.body.description).toBe(
    "This action needs the PRIVILEGE_REPLICATION_OBJECT_WRITE privilege, which your role does not grant.",
  );
  const read = await page.evaluate(async (url) => (await fetch(url)).status, `${BASE}/${status.id}/status`);
  expect(read).toBe(200);
});
