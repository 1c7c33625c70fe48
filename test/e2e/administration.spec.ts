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

test("an administrator creates a user, changes their role (ending their session at once), disables them, and reads it all in the audit trail", async ({
  browser,
}) => {
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
  await expect(admin.getByRole("status")).toContainText("their sessions have ended, and they sign in again to use it");
  await operator.reload();
  await expect(operator).toHaveURL(/\/signin/); // the role change ended the session
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
    await expect(
      admin.getByTestId("audit-row").filter({ hasText: action }).filter({ hasText: OPERATOR.username }),
    ).toHaveCount(1);
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
  await expect(observer.locator(APP_ALERT)).toContainText(
    "User administration needs the PRIVILEGE_USER_ADMINISTRATION privilege",
  );
  await observer.goto(`${app.url}/admin/audit`);
  await expect(observer.locator(APP_ALERT)).toContainText("The audit trail needs the PRIVILEGE_AUDIT_READ privilege");
});

test("a demoted administrator's open console cannot create an administrator, and cookies kept from before a sign-out or a password reset open nothing", async ({
  browser,
}) => {
  const DEPUTY = { username: "deputy1", password: "deputy-password-1" };
  const admin = await signedIn(browser, "admin", ADMIN_PASSWORD);
  await admin.getByRole("link", { name: "Users" }).click();
  await admin.getByLabel("New username").fill(DEPUTY.username);
  await admin.getByLabel("Initial password").fill(DEPUTY.password);
  await admin.locator(`select[name="role"]`).selectOption("administrators");
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("status")).toHaveText(`User ${DEPUTY.username} was created.`);

  // The deputy keeps the Users page open while an administrator demotes them.
  const deputy = await signedIn(browser, DEPUTY.username, DEPUTY.password);
  await deputy.getByRole("link", { name: "Users" }).click();
  const keptCookies = await deputy.context().storageState();
  await admin.getByLabel(`Role of ${DEPUTY.username}`).selectOption("observers");
  await expect(admin.getByRole("status")).toContainText("their sessions have ended");
  // The page still shows the form, but the server action reads the session from the database.
  const createAdministrator = async () => {
    await deputy.getByLabel("New username").fill("sneaky-admin");
    await deputy.getByLabel("Initial password").fill("sneaky-password-1");
    await deputy.locator(`select[name="role"]`).selectOption("administrators");
    await deputy.getByRole("button", { name: "Create user" }).click();
  };
  await createAdministrator();
  await expect(deputy.locator(APP_ALERT)).toHaveText("Your session has ended; sign in again.");

  // Signed in again, as an observer now: the same forged action is refused for the privilege.
  const observerAgain = await deputy.context().newPage();
  await signIn(observerAgain, app.url, DEPUTY.username, DEPUTY.password);
  await expect(observerAgain.getByText(`${DEPUTY.username} (read only)`)).toBeVisible();
  await createAdministrator(); // the old page, now sending the new cookie
  await expect(deputy.locator(APP_ALERT)).toHaveText(
    "This action needs the PRIVILEGE_USER_ADMINISTRATION privilege, which your role does not grant.",
  );
  await expect(admin.getByTestId("user-sneaky-admin")).toHaveCount(0);

  // A cookie copied before the demotion opens nothing.
  const replay = await (await browser.newContext({ storageState: keptCookies })).newPage();
  await replay.goto(`${app.url}/copies`);
  await expect(replay).toHaveURL(/\/signin/);

  // A cookie copied before sign-out opens nothing either.
  const beforeSignOut = await observerAgain.context().storageState();
  await observerAgain.getByRole("button", { name: "Sign out" }).click();
  await expect(observerAgain).toHaveURL(/\/signin/);
  const replayAfterSignOut = await (await browser.newContext({ storageState: beforeSignOut })).newPage();
  await replayAfterSignOut.goto(`${app.url}/copies`);
  await expect(replayAfterSignOut).toHaveURL(/\/signin/);

  // Nor one copied before a password reset.
  const last = await signedIn(browser, DEPUTY.username, DEPUTY.password);
  const beforeReset = await last.context().storageState();
  await admin.reload();
  await admin.getByLabel(`New password for ${DEPUTY.username}`).fill("reset-password-22");
  await admin.getByTestId(`user-${DEPUTY.username}`).getByRole("button", { name: "Reset" }).click();
  await expect(admin.getByRole("status")).toHaveText(`The password of ${DEPUTY.username} was reset.`);
  const replayAfterReset = await (await browser.newContext({ storageState: beforeReset })).newPage();
  await replayAfterReset.goto(`${app.url}/copies`);
  await expect(replayAfterReset).toHaveURL(/\/signin/);
});
