import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN_PASSWORD, startApp, waitForJobEnd, type AppServer } from "../support/app-server";
import { expectAccessible } from "../support/axe";
import { relationshipBody, signIn } from "../support/e2e";
import { startS3Server, type S3TestServer } from "../support/s3-server";

/**
 * Every console page at a desktop and a phone width, light and dark, with a copy whose directory
 * path is 1,234 bytes long and whose last job failed with an error naming it: no page may
 * scroll sideways, axe finds nothing serious, and each view is written as a screenshot.
 */
const SHOTS = path.resolve(import.meta.dirname, "../../test-results/layout");
const WIDTHS = [1366, 390] as const;
const SCHEMES = ["light", "dark"] as const;
// Six 200-byte names and one of 27, each behind a "/": 1,234 bytes.
const LONG_PATH = "/" + [..."abcdef"].map((c) => c.repeat(200)).join("/") + "/" + "g".repeat(27);
const LAST_NAME = "g".repeat(27);

let app: AppServer;
let s3: S3TestServer;
let longId: string;
let shortId: string;
let longJobId: string;

test.beforeAll(async () => {
  expect(Buffer.byteLength(LONG_PATH)).toBe(1234);
  [app, s3] = await Promise.all([startApp(), startS3Server(["layout-bucket"])]);
  fs.mkdirSync(path.join(app.fsRoot, LONG_PATH), { recursive: true });
  fs.writeFileSync(path.join(app.fsRoot, LONG_PATH, "report.txt"), "report");
  fs.mkdirSync(path.join(app.fsRoot, "docs"));
  fs.writeFileSync(path.join(app.fsRoot, "docs/a.txt"), "a");
  const token = await app.login();
  const create = async (local_directory_path: string, object_folder: string) => {
    const created = await app.call("POST", "/v3/replication/object-relationships/", {
      token,
      body: relationshipBody(s3.port, { local_directory_path, bucket: "layout-bucket", object_folder }),
    });
    expect(created.status, created.text).toBe(201);
    await waitForJobEnd(app, token, created.json.id);
    return created.json.id as string;
  };
  longId = await create(LONG_PATH, "long/");
  shortId = await create("/docs", "docs/");
  // The directory goes away: the repeat fails with an error that names its 1,234-byte path.
  fs.renameSync(path.join(app.fsRoot, LONG_PATH), path.join(app.fsRoot, `${LONG_PATH}-moved`));
  await app.call("POST", `/v3/replication/object-relationships/${longId}/replicate`, { token });
  const status = await waitForJobEnd(app, token, longId);
  expect(status.last_job.error).toContain(LAST_NAME);
  longJobId = status.last_job.job_id;
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), s3?.stop()]);
});

interface View {
  name: string;
  path: string;
  ready: (page: Page) => Promise<void>;
  signedOut?: boolean;
}

const VIEWS: View[] = [
  {
    name: "signin",
    path: "/signin",
    signedOut: true,
    ready: (page) => expect(page.getByRole("heading", { name: "Sign in to S3 Shift" })).toBeVisible(),
  },
  {
    name: "copies",
    path: "/copies",
    ready: async (page) => {
      await expect(page.getByTestId(`relationship-${longId}`)).toContainText(LAST_NAME);
      await expect(page.getByTestId(`relationship-${shortId}`)).toBeVisible();
    },
  },
  {
    name: "create",
    path: "/copies/new",
    ready: async (page) => {
      await page.getByText("Advanced S3 Server Settings").click();
      await expect(page.getByLabel("Port")).toBeVisible();
    },
  },
  {
    name: "details-long",
    path: "/copies/LONG",
    ready: (page) => expect(page.getByTestId("job-row").first()).toContainText(LAST_NAME),
  },
  {
    name: "details",
    path: "/copies/SHORT",
    ready: (page) => expect(page.getByRole("heading", { name: "Job history" })).toBeVisible(),
  },
  {
    name: "job",
    path: "/copies/LONG/jobs/LONGJOB",
    ready: (page) => expect(page.getByTestId("job-error")).toContainText(LAST_NAME),
  },
  {
    name: "users",
    path: "/admin/users",
    ready: (page) => expect(page.getByRole("heading", { name: "Create user" })).toBeVisible(),
  },
  {
    name: "audit",
    path: "/admin/audit",
    ready: (page) => expect(page.getByTestId("audit-row").first()).toBeVisible(),
  },
  {
    name: "copy-not-found",
    path: "/copies/00000000-0000-4000-8000-000000000000",
    ready: (page) => expect(page.getByRole("heading", { name: "No such copy" })).toBeVisible(),
  },
];

async function pageFor(browser: Browser, width: number, scheme: "light" | "dark", signedIn: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  if (signedIn) await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  return page;
}

for (const width of WIDTHS) {
  for (const scheme of SCHEMES) {
    test(`every page fits ${width} px in ${scheme} mode, long paths and all, and passes axe`, async ({ browser }) => {
      test.setTimeout(240_000);
      const signedIn = await pageFor(browser, width, scheme, true);
      const signedOut = await pageFor(browser, width, scheme, false);
      const widths: Record<string, number> = {};
      for (const view of VIEWS) {
        const page = view.signedOut ? signedOut : signedIn;
        await page.goto(
          app.url + view.path.replace("LONGJOB", longJobId).replace("LONG", longId).replace("SHORT", shortId),
        );
        await view.ready(page);
        const { scrollWidth, clientWidth, background } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          background: getComputedStyle(document.body).backgroundColor,
        }));
        widths[view.name] = scrollWidth;
        await page.screenshot({ path: path.join(SHOTS, `${view.name}-${width}-${scheme}.png`), fullPage: true });
        expect(scrollWidth, `${view.name} is ${scrollWidth} px wide in a ${clientWidth} px window`).toBeLessThanOrEqual(
          clientWidth,
        );
        expect(lightness(background) < 0.5, `${view.name}'s background ${background} in ${scheme} mode`).toBe(
          scheme === "dark",
        );
        await expectAccessible(page, `${view.name} at ${width} px, ${scheme}`);
      }
      test.info().annotations.push({ type: "scrollWidth", description: JSON.stringify(widths) });
    });
  }
}

test("on a phone the header keeps to two rows and every cell of the list is on screen", async ({ browser }) => {
  const page = await pageFor(browser, 390, "light", true);
  await page.goto(`${app.url}/copies`);
  const row = page.getByTestId(`relationship-${longId}`);
  await expect(row).toContainText(LAST_NAME);
  const header = await page.locator("header").boundingBox();
  expect(header!.height).toBeLessThan(110);
  const brand = await page.locator("header").getByText("S3 Shift").boundingBox();
  const signOut = await page.getByRole("button", { name: "Sign out" }).boundingBox();
  const nav = await page.getByRole("navigation", { name: "Main" }).boundingBox();
  expect(brand!.y + brand!.height).toBeLessThanOrEqual(nav!.y); // the links have their own row
  expect(signOut!.y + signOut!.height).toBeLessThanOrEqual(nav!.y);
  for (const cell of await row.locator("td").all()) {
    const box = (await cell.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  // Each cell is named by its column, the header being out of sight.
  await expect(row.locator("td").nth(4)).toHaveAttribute("data-label", "State");
});

for (const scheme of SCHEMES) {
  test(`a dialog dims the page behind it and keeps its own surface in ${scheme} mode`, async ({ browser }) => {
    const page = await pageFor(browser, 390, scheme, true);
    await page.goto(`${app.url}/copies/${shortId}`);
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this copy?" });
    await expect(dialog).toBeVisible();
    const { backdrop, surface } = await dialog.evaluate((element) => ({
      backdrop: getComputedStyle(element, "::backdrop").backgroundColor,
      surface: getComputedStyle(element).backgroundColor,
    }));
    await page.screenshot({ path: path.join(SHOTS, `delete-dialog-390-${scheme}.png`) });
    // The backdrop darkens in both schemes (a light one would wash the page out in dark mode).
    expect(backdrop).toMatch(/^rgba\(0, 0, 0, 0\.5\d*\)$/);
    expect(lightness(surface) < 0.5, `the dialog's surface ${surface} in ${scheme} mode`).toBe(scheme === "dark");
    await expectAccessible(page, `delete dialog, ${scheme}`);
  });
}

/** How light a computed colour is, 0 (black) to 1 (white): near enough to tell dark from light. */
function lightness(color: string): number {
  const numbers = (color.match(/[\d.]+/g) ?? []).map(Number);
  // Chromium gives a colour in the space it was written in: lab()/lch() lightness runs 0–100, oklab()/oklch() 0–1.
  if (/^(ok)?(lab|lch)\(/.test(color)) return numbers[0]! > 1 ? numbers[0]! / 100 : numbers[0]!;
  const [r = 255, g = 255, b = 255] = numbers;
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
