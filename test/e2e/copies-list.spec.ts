import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN_PASSWORD, APP_ALERT, OBSERVER, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { relationshipBody, signIn } from "../support/e2e";
import { S3Proxy } from "../support/s3-proxy";
import { startS3Server, type S3TestServer } from "../support/s3-server";

/**
 * The copies list as an administrator uses it: endpoint, state, last run and last success per
 * copy; search, filters and sorting kept in the URL; Stop and Repeat on each row for writers.
 */
const BASE = "/v3/replication/object-relationships";
const SHOTS = path.resolve(import.meta.dirname, "../../test-results/copies-list");
// Six 200-byte names and one of 27, each behind a "/": 1,234 bytes.
const LONG_PATH = "/" + [..."abcdef"].map((c) => c.repeat(200)).join("/") + "/" + "g".repeat(27);
// Five 200-byte directories: with the folder "errs/" and a file name, every key is over 1,023 bytes.
const DEEP = [..."vwxyz"].map((c) => c.repeat(200)).join("/");

let app: AppServer;
let s3: S3TestServer;
let proxy: S3Proxy;
let token: string;
const ids = { alpha: "", restore: "", errors: "", long: "", gone: "" };

async function create(body: Record<string, unknown>): Promise<string> {
  const created = await app.call("POST", `${BASE}/`, { token, body });
  expect(created.status, created.text).toBe(201);
  await waitForJobEnd(app, token, created.json.id);
  return created.json.id;
}

function writeFiles(dir: string, names: string[]) {
  for (const name of names) {
    fs.mkdirSync(path.dirname(path.join(app.fsRoot, dir, name)), { recursive: true });
    fs.writeFileSync(path.join(app.fsRoot, dir, name), name);
  }
}

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp(), startS3Server(["list-alpha", "list-beta"])]);
  proxy = new S3Proxy(s3.port);
  await proxy.start();
  token = await app.login();
  writeFiles("alpha", ["a.txt", "b.txt"]);
  writeFiles("with-errors", ["fine.txt", ...[1, 2, 3].map((n) => `${DEEP}/too-long-${n}.txt`)]);
  writeFiles(LONG_PATH, ["report.txt"]);
  writeFiles("gone", ["g.txt"]);
  fs.mkdirSync(path.join(app.fsRoot, "restore"));
  const to = (local_directory_path: string, bucket: string, object_folder: string) =>
    relationshipBody(proxy.port, { local_directory_path, bucket, object_folder });
  ids.alpha = await create(to("/alpha", "list-alpha", "alpha/"));
  ids.restore = await create({ ...to("/restore", "list-alpha", "alpha/"), direction: "COPY_FROM_OBJECT" });
  ids.errors = await create(to("/with-errors", "list-beta", "errs/"));
  ids.long = await create(to(LONG_PATH, "list-beta", "long/"));
  ids.gone = await create(to("/gone", "list-alpha", "gone/"));
});

test.afterAll(async () => {
  await proxy?.stop();
  await Promise.all([app?.stop(), s3?.stop()]);
});

async function signedIn(browser: Browser, width = 1366, username = "admin", password = ADMIN_PASSWORD) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await signIn(page, app.url, username, password);
  await expect(page.getByTestId("copy-count")).toHaveText("5 of 5 copies");
  return page;
}

const row = (page: Page, id: string) => page.getByTestId(`relationship-${id}`);
const shownIds = async (page: Page) =>
  (await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid")))).map((t) =>
    t!.replace("relationship-", ""),
  );

test("each copy shows its endpoint, its state in the console's words, its last run and its last success", async ({
  browser,
}) => {
  const page = await signedIn(browser);
  const errors = row(page, ids.errors);
  await expect(errors.locator('td[data-label="State"]')).toContainText("Completed with 3 errors");
  await expect(errors.locator('td[data-label="Endpoint"]')).toContainText(`http://127.0.0.1:${proxy.port}`);
  await expect(errors.locator('td[data-label="Last success"]')).toHaveText("never");
  await expect(errors.locator('td[data-label="Last run"]')).toContainText(/ ago/);
  await expect(row(page, ids.restore).locator('td[data-label="Direction"]')).toHaveText("Local ⇦ Remote");

  // Last run and last success: how long ago, with the exact time on hover, both from the API.
  const status = (await app.call("GET", `${BASE}/${ids.alpha}/status`, { token })).json;
  const success = row(page, ids.alpha).locator('td[data-label="Last success"] time');
  await expect(success).toHaveAttribute("datetime", status.last_success_time);
  await expect(success).toHaveAttribute("title", /^\d+ \w{3} \d{4}, \d\d:\d\d:\d\d UTC$/);
  await expect(row(page, ids.alpha).locator('td[data-label="Last run"] time')).toHaveAttribute(
    "datetime",
    status.last_job.end_time,
  );

  // The job's long error is cut to two lines, whole in its title and behind "Show all".
  const error = errors.locator('td[data-label="State"] [title]');
  const full = (await app.call("GET", `${BASE}/${ids.errors}/status`, { token })).json.last_job.error as string;
  expect(full).toMatch(/^3 files could not be copied: /);
  await expect(error).toHaveAttribute("title", full);
  const lineHeight = await error.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
  expect((await error.boundingBox())!.height).toBeLessThanOrEqual(2 * lineHeight + 1);
  const state = errors.locator('td[data-label="State"]');
  await state.getByRole("button", { name: "Show all" }).click();
  await expect(state.getByRole("button", { name: "Show less" })).toHaveAttribute("aria-expanded", "true");
  expect((await error.boundingBox())!.height).toBeGreaterThan(2 * lineHeight + 1);
});

test("at 1366 and 390 px, light and dark, the list fits the window with a 1,234-byte path, and passes axe", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const page = await signedIn(browser);
  for (const width of [1366, 390]) {
    for (const scheme of ["light", "dark"] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await expect(row(page, ids.long)).toContainText("g".repeat(27));
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(scrollWidth, `${scrollWidth} px wide in a ${clientWidth} px window (${scheme})`).toBeLessThanOrEqual(
        clientWidth,
      );
      // The long path is cut to three lines, whole in its title and behind "Show all".
      const pathBox = row(page, ids.long).locator('td[data-label="Local directory"] [title]');
      await expect(pathBox).toHaveAttribute("title", `${LONG_PATH}/`);
      const lineHeight = await pathBox.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
      expect((await pathBox.boundingBox())!.height).toBeLessThanOrEqual(3 * lineHeight + 1);
      await expect(
        row(page, ids.long).locator('td[data-label="Local directory"]').getByRole("button", { name: "Show all" }),
      ).toBeVisible();
      await page.screenshot({ path: path.join(SHOTS, `list-${width}-${scheme}.png`), fullPage: true });
      await page.screenshot({ path: path.join(SHOTS, `list-${width}-${scheme}-window.png`) });
      await expectAccessible(page, `copies list at ${width} px, ${scheme}`);
    }
  }
});

test("search, filters and sorting narrow the list, say how many are shown, and survive a reload", async ({
  browser,
}) => {
  const page = await signedIn(browser);
  await page.getByLabel("Search").fill("WITH-ERR");
  await expect(page.getByTestId("copy-count")).toHaveText("1 of 5 copies");
  expect(await shownIds(page)).toEqual([ids.errors]);
  await expect(page).toHaveURL(/\?q=WITH-ERR$/);

  // The endpoint and the id are searched too.
  await page.getByLabel("Search").fill(`127.0.0.1:${proxy.port}`);
  await expect(page.getByTestId("copy-count")).toHaveText("5 of 5 copies");
  await page.getByLabel("Search").fill(ids.gone.slice(0, 13));
  expect(await shownIds(page)).toEqual([ids.gone]);
  await page.getByLabel("Search").fill("");

  await page.getByLabel("Direction").selectOption({ label: "Local ⇦ Remote" });
  await expect(page.getByTestId("copy-count")).toHaveText("1 of 5 copies");
  await page.getByLabel("Direction").selectOption({ label: "Local ⇨ Remote" });
  await page.getByLabel("Bucket").selectOption("list-beta");
  await expect(page.getByTestId("copy-count")).toHaveText("2 of 5 copies");
  await page.getByLabel("State").selectOption({ label: "Succeeded" });
  expect(await shownIds(page)).toEqual([ids.long]);
  await page.getByRole("button", { name: /^Last run/ }).click();
  await expect(page).toHaveURL(/\?direction=to-s3&state=succeeded&bucket=list-beta&sort=last-run$/);

  await page.reload();
  await expect(page.getByTestId("copy-count")).toHaveText("1 of 5 copies");
  await expect(page.getByLabel("Bucket")).toHaveValue("list-beta");
  await expect(page.getByLabel("State")).toHaveValue("succeeded");
  await expect(page.getByRole("columnheader", { name: /^Last run/ })).toHaveAttribute("aria-sort", "ascending");

  // Nothing matches: the list says so and offers to clear the filters (the sorting stays).
  await page.getByLabel("Search").fill("no such copy anywhere");
  await expect(page.getByText("No copy matches these filters.")).toBeVisible();
  await expect(page.getByTestId("copy-count")).toHaveText("0 of 5 copies");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page.getByTestId("copy-count")).toHaveText("5 of 5 copies");
  await expect(page).toHaveURL(/\/copies\?sort=last-run$/);
  await expect(page.getByLabel("Search")).toBeFocused();
  await expect(page.getByLabel("Search")).toHaveValue("");

  // Sorting by a column, then the other way round.
  await page.getByRole("button", { name: /^Local directory/ }).click();
  const byDirectory = [ids.long, ids.alpha, ids.gone, ids.restore, ids.errors]; // "/aaa…" before "/alpha"
  expect(await shownIds(page)).toEqual(byDirectory);
  await page.getByRole("button", { name: /^Local directory/ }).click();
  await expect(page.getByRole("columnheader", { name: /^Local directory/ })).toHaveAttribute("aria-sort", "descending");
  expect(await shownIds(page)).toEqual([...byDirectory].reverse());
  await page.getByRole("button", { name: /^State/ }).click();
  expect((await shownIds(page)).at(0)).toBe(ids.errors); // what needs a look comes before the successes

  // A phone has no header row to sort by: it has a "Sort by" choice instead.
  await page.setViewportSize({ width: 390, height: 900 });
  await expect(page.getByLabel("Sort by")).toHaveValue("state:asc");
  await page.getByLabel("Sort by").selectOption({ label: "Local directory, descending" });
  await expect(page).toHaveURL(/\/copies\?sort=directory&order=desc$/);
  expect(await shownIds(page)).toEqual([...byDirectory].reverse());
});

test("sorting and the filters work from the keyboard alone, and a poll takes neither focus nor scroll position", async ({
  browser,
}) => {
  const page = await signedIn(browser);
  const tabTo = async (name: string) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        return element?.id
          ? (document.querySelector(`label[for="${element.id}"]`)?.textContent ?? "")
          : (element?.textContent ?? "");
      });
      if (focused.startsWith(name)) return;
    }
    throw new Error(`Tab never reached ${name}`);
  };
  await tabTo("Search");
  await page.keyboard.type("projects-none");
  await expect(page.getByText("No copy matches these filters.")).toBeVisible();
  for (let i = 0; i < "projects-none".length; i++) await page.keyboard.press("Backspace");
  await tabTo("Direction");
  await page.keyboard.press("ArrowDown"); // Local ⇨ Remote
  await expect(page.getByTestId("copy-count")).toHaveText("4 of 5 copies");
  await tabTo("State");
  await page.keyboard.press("ArrowDown"); // Running
  await page.keyboard.press("ArrowDown"); // Succeeded
  await expect(page.getByTestId("copy-count")).toHaveText("3 of 5 copies");
  await tabTo("Last success");
  await page.keyboard.press("Enter");
  const header = page.getByRole("columnheader", { name: /^Last success/ });
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  await page.keyboard.press("Space");
  await expect(header).toHaveAttribute("aria-sort", "descending");
  await expect(page).toHaveURL(/direction=to-s3&state=succeeded&sort=last-success&order=desc$/);

  // Focus and the caret stay put while the list is polled every second.
  await page.getByLabel("Search").focus();
  await page.keyboard.type("a");
  await page.waitForTimeout(2500);
  await expect(page.getByLabel("Search")).toBeFocused();
  await page.keyboard.type("lpha");
  await expect(page.getByLabel("Search")).toHaveValue("alpha");
  await expect(page.getByTestId("copy-count")).toHaveText("2 of 5 copies"); // /alpha/, and /gone/ in list-alpha

  // So does the scroll position of a phone's long list of cards.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.setViewportSize({ width: 390, height: 500 });
  await page.evaluate(() => window.scrollTo(0, 700));
  const before = await page.evaluate(() => window.scrollY);
  expect(before).toBeGreaterThan(300);
  await page.waitForTimeout(2500);
  expect(await page.evaluate(() => window.scrollY)).toBe(before);
});

test("a writer has Stop and Repeat on each row; a read-only operator has neither", async ({ browser }) => {
  const writer = await signedIn(browser);
  await expect(writer.getByRole("columnheader", { name: "Actions" })).toBeVisible();
  for (const id of Object.values(ids))
    await expect(row(writer, id).getByRole("button", { name: "Repeat" })).toBeVisible();

  const reader = await signedIn(browser, 1366, OBSERVER.username, OBSERVER.password);
  await expect(reader.getByText(`${OBSERVER.username} (read only)`)).toBeVisible();
  await expect(reader.getByRole("columnheader", { name: "Actions" })).toHaveCount(0);
  await expect(
    reader.locator("tbody").getByRole("button", { name: /^(Repeat|Stop|Starting…|Stopping…)$/ }),
  ).toHaveCount(0);
});

test("Repeat on a row starts a job at once, and Stop on it stops the job", async ({ browser }) => {
  const page = await signedIn(browser);
  writeFiles(
    "alpha",
    Array.from({ length: 200 }, (_, i) => `new-${i}.txt`),
  );
  proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 1500 } : undefined);
  // The server's answer to an action comes a moment late, as over a slow link: the button says
  // what it is doing before that answer.
  await page.route(`${app.url}/copies`, async (route) => {
    if (route.request().method() === "POST") await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });
  const before = (await app.call("GET", `${BASE}/${ids.alpha}/status`, { token })).json;
  expect(before.state).toBe("REPLICATION_NOT_RUNNING");

  const button = row(page, ids.alpha).getByRole("button", { name: "Repeat" });
  await button.focus();
  await page.keyboard.press("Enter");
  await expect(row(page, ids.alpha).getByRole("button", { name: "Starting…" })).toHaveAttribute(
    "aria-disabled",
    "true",
  );
  const stop = row(page, ids.alpha).getByRole("button", { name: "Stop" });
  await expect(stop).toBeVisible();
  await expect(stop).toBeFocused(); // the same button, so the keyboard stays where it was
  const running = (await app.call("GET", `${BASE}/${ids.alpha}/status`, { token })).json;
  expect(running.state).toBe("REPLICATION_RUNNING");
  expect(running.current_job.job_id).not.toBe(before.last_job.job_id);
  await expect(row(page, ids.alpha).locator('td[data-label="State"]')).toContainText("Running");
  await row(page, ids.alpha).getByRole("progressbar").waitFor();
  await page.screenshot({ path: path.join(SHOTS, "running-1366.png") });

  await page.keyboard.press("Enter");
  await expect(row(page, ids.alpha).getByRole("button", { name: "Stopping…" })).toBeVisible();
  await expect(row(page, ids.alpha).getByRole("button", { name: "Repeat" })).toBeVisible({ timeout: 20_000 });
  await expect(row(page, ids.alpha).locator('td[data-label="State"]')).toContainText("Stopped");
  const stopped = (await app.call("GET", `${BASE}/${ids.alpha}/status`, { token })).json;
  expect(stopped.last_job).toMatchObject({ job_id: running.current_job.job_id, outcome: "ABORTED" });
  expect(stopped.last_success_time).toBe(before.last_success_time);
  proxy.interceptor = undefined;
});

test("a Repeat that takes its row out of the filtered view leaves the focus on the count line, which says why", async ({
  browser,
}) => {
  const page = await signedIn(browser);
  await page.goto(`${app.url}/copies?state=completed-with-errors`);
  await expect(page.getByTestId("copy-count")).toHaveText("1 of 5 copies");
  // The job runs long enough (every PUT waits 6 s) for the list to see it running, and so no longer
  // "completed with errors", until the checks are done even on a loaded machine.
  proxy.interceptor = (r) => (r.method === "PUT" ? { delayMs: 6000 } : undefined);
  try {
    await row(page, ids.errors).getByRole("button", { name: "Repeat" }).focus();
    await page.keyboard.press("Enter");
    const count = page.getByTestId("copy-count");
    await expect(count).toBeFocused();
    await expect(count).toContainText("0 of 5 copies · /with-errors/ no longer matches the filters.");
  } finally {
    proxy.interceptor = undefined;
  }
  await waitForJobEnd(app, token, ids.errors);
});

test("the time since the last run moves on while nothing changes, and the search box follows the header's link", async ({
  browser,
}) => {
  const page = await signedIn(browser);
  const lastRun = row(page, ids.gone).locator('td[data-label="Last run"] time');
  // No job runs, so every poll brings the same data: the words must move on all the same.
  const before = await lastRun.textContent();
  expect(before).toMatch(/ ago \(/);
  await expect.poll(() => lastRun.textContent(), { timeout: 5_000 }).not.toBe(before);

  await page.getByRole("searchbox").fill("gone");
  await expect(page.getByTestId("copy-count")).toHaveText("1 of 5 copies");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Copy to/from S3" }).click();
  await expect(page.getByRole("searchbox")).toHaveValue("");
  await expect(page.getByTestId("copy-count")).toHaveText("5 of 5 copies");
});

test("a Repeat the server refuses says why beside the row, in the console's words", async ({ browser }) => {
  const page = await signedIn(browser);
  // Another user deletes the copy between two polls: the page still shows it.
  // Read as the page reads it: the console's session answers only requests from its own pages.
  const snapshot = await page.evaluate(
    async (url) => (await fetch(url, { cache: "no-store" })).text(),
    `${BASE}/status/`,
  );
  expect(JSON.parse(snapshot)).toEqual(expect.arrayContaining([expect.objectContaining({ id: ids.gone })]));
  let served!: () => void;
  const held = new Promise<void>((resolve) => (served = resolve));
  await page.route(`${app.url}${BASE}/status/`, async (route) => {
    await route.fulfill({ status: 200, contentType: "application/json", body: snapshot });
    served();
  });
  // The list keeps one poll in flight at a time: once a held one is answered, a poll sent before
  // the route was in place has been answered too, so none can bring the deletion in.
  await held;
  expect((await app.call("DELETE", `${BASE}/${ids.gone}`, { token })).status).toBe(204);
  await row(page, ids.gone).getByRole("button", { name: "Repeat" }).click();
  await expect(row(page, ids.gone).locator(APP_ALERT)).toHaveText(
    "This copy no longer exists; another user may have deleted it.",
  );
  await expect(row(page, ids.gone).getByRole("button", { name: "Repeat" })).not.toHaveAttribute("aria-disabled");
  await row(page, ids.gone).screenshot({ path: path.join(SHOTS, "refused-row-1366.png") });
  await page.unroute(`${app.url}${BASE}/status/`);
  await expect(row(page, ids.gone)).toHaveCount(0);
  await expect(page.getByTestId("copy-count")).toHaveText("4 of 4 copies");
});
