import { expect, test, type Browser } from "@playwright/test";
import { signIn } from "../support/e2e";
import { ADMIN_PASSWORD, startApp, type AppServer } from "../support/app-server";

let app: AppServer;

test.beforeAll(async () => {
  app = await startApp({ worker: false });
});

test.afterAll(async () => {
  await app?.stop();
});

const newPage = async (browser: Browser) => (await browser.newContext()).newPage();

test("every console page runs under a script policy with its own nonce, which scripts without it do not pass", async ({
  browser,
}) => {
  const page = await newPage(browser);
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const nonces = new Set<string>();
  for (const path of ["/signin", "/copies", "/copies/new", "/admin/users", "/admin/audit"]) {
    const response = await (path === "/signin"
      ? page.goto(app.url + path)
      : (await page.goto(app.url + path), page.reload()));
    const policy = response!.headers()["content-security-policy"] ?? "";
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'(;|$)/.exec(policy)?.[1];
    expect(nonce, `${path}: ${policy}`).toBeDefined();
    expect(/script-src [^;]*/.exec(policy)![0]).not.toMatch(/unsafe-inline|unsafe-eval/);
    nonces.add(nonce!);
    // Next.js gave its inline scripts this response's nonce.
    const inline = await page
      .locator("script:not([src])")
      .evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
    expect(inline.length, path).toBeGreaterThan(0);
    expect(new Set(inline), path).toEqual(new Set([nonce]));
    if (path === "/signin") await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  }
  expect(nonces.size).toBe(5); // a fresh nonce per response
  expect(violations).toEqual([]);

  // A script injected into the page without the nonce (as a markup injection would) does not run,
  // while the page's own scripts do: the sign-in form still works.
  const victim = await newPage(browser);
  await victim.route(`${app.url}/signin`, async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace("</body>", "<script>window.injectedRan = true</script></body>");
    await route.fulfill({ response, body: html });
  });
  const blocked = victim.waitForEvent("console", (message) => /Content Security Policy/i.test(message.text()));
  await signIn(victim, app.url, "admin", ADMIN_PASSWORD);
  await blocked;
  await victim.goto(`${app.url}/signin`);
  expect(await victim.evaluate(() => (window as { injectedRan?: boolean }).injectedRan)).toBeUndefined();
});

test("sign-in follows a path of this site, and never a callback that leads elsewhere", async ({ browser }) => {
  const cases: Array<[string, string]> = [
    ["/.//127.0.0.1:18080/x", "/copies"],
    ["http://x//host", "/copies"],
    ["//127.0.0.1:18080/x", "/copies"],
    ["/\\127.0.0.1:18080/x", "/copies"],
    ["/admin/users", "/admin/users"],
  ];
  for (const [callbackUrl, expected] of cases) {
    const page = await newPage(browser);
    await page.goto(`${app.url}/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/signin");
    expect(page.url(), callbackUrl).toBe(`${app.url}${expected}`);
    await page.context().close();
  }
});
