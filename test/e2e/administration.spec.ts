import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn } from "../support/e2e";
import { APP_ALERT, ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";

let app: AppServer;
const OPERATOR = { username: "operator1", password: "operator-password-1" };

test.beforeAll(async () => {
  app = await startApp({ worker: false });
});

test.afterAll(async () => {
  await app?.stop();
});

async function signedIn(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, app.url, username, password);
  return page;
}

test("an administrator creates a user, changes their role (effective at next sign-in), disables them, and reads it all in the audit trail", async ({ browser }) => {
  const admin = await signedIn(browser, "admin", ADMIN_PASSWORD);
  await admin.getByRole("link", { name: "Users" }).click();
  await admin.getByLabel("New username").fill(OPERATOR.username);
  await admin.getByLabel("Initial password").fill(OPERATOR.password);
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("status")).toHaveText(`User ${OPERATOR.username} was created.`);
  await expect(admin.getByTestId(`user-${OPERATOR.username}`)).toBeVisible();

  const operator = await signedIn(browser, OPERATOR.username, OPERATOR.password);
  await expect(operator.getByText(`${OPERATOR.username} (read only)`)).toBeVisible();

  await admin.getByLabel(`Role of ${OPERATOR.username}`).selectOption("administrators");
  await expect(admin.getByRole("status")).toContainText("it applies at their next sign-in");
  await operator.reload();
  await expect(operator.getByText(`${OPERATOR.username} (read only)`)).toBeVisible(); // the session keeps its privileges
  await operator.getByRole("button", { name: "Sign out" }).click();
  const promoted = await signedIn(browser, OPERATOR.username, OPERATOR.password);
  await expect(promoted.getByRole("link", { name: "Create Copy" })).toBeVisible();

  await admin.getByRole("button", { name: `Disable ${OPERATOR.username}` }).click();
  await expect(admin.getByRole("status")).toHaveText(`${OPERATOR.username} is now disabled.`);
  await promoted.goto(`${app.url}/copies`);
  await expect(promoted).toHaveURL(/\/signin/); // a disabled account loses its session at once
  await promoted.getByLabel("Username").fill(OPERATOR.username);
  await promoted.getByLabel("Password").fill(OPERATOR.password);
  await promoted.getByRole("button", { name: "Sign in" }).click();
  await expect(promoted.locator(APP_ALERT)).toHaveText("Invalid username or password.");

  await admin.getByRole("button", { name: `Disable admin` }).click();
  await expect(admin.locator(APP_ALERT)).toHaveText("You cannot disable your own account.");

  await admin.getByRole("link", { name: "Audit trail" }).click();
  for (const action of ["user.create", "user.role", "user.disable"]) {
    await expect(admin.getByTestId("audit-row").filter({ hasText: action }).filter({ hasText: OPERATOR.username })).toHaveCount(1);
  }
  await admin.getByLabel("Action (prefix)").fill("user.disable");
  await admin.getByRole("button", { name: "Filter" }).click();
  await expect(admin.getByTestId("audit-row")).toHaveCount(1);
  await expect(admin.getByTestId("audit-row")).toContainText("admin");
});

test("an observer is shown a clear page instead of user administration and the audit trail", async ({ browser }) => {
  const observer = await signedIn(browser, OBSERVER.username, OBSERVER.password);
  await expect(observer.getByRole("link", { name: "Users" })).toHaveCount(0);
  await observer.goto(`${app.url}/admin/users`);
  await expect(observer.locator(APP_ALERT)).toContainText("User administration needs the PRIVILEGE_USER_ADMINISTRATION privilege");
  await observer.goto(`${app.url}/admin/audit`);
  await expect(observer.locator(APP_ALERT)).toContainText("The audit trail needs the PRIVILEGE_AUDIT_READ privilege");
});
