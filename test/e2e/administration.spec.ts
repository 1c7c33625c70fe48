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

/** Chooses the role, then confirms the change in the dialog it opens. */
async function changeRole(admin: Page, username: string, roleId: string) {
  await admin.getByLabel(`Role of ${username}`).selectOption(roleId);
  await admin.getByTestId(`user-${username}`).getByRole("button", { name: "Change role" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Yes, Change Role" }).click();
}

async function createUser(admin: Page, username: string, password: string, role = "observers") {
  await admin.getByLabel("New username").fill(username);
  await admin.getByLabel("Initial password").fill(password);
  await admin.locator(`select[name="role"]`).selectOption(role);
  await admin.getByRole("button", { name: "Create user" }).click();
}

test("an administrator creates a user, changes their role (ending their session at once), disables them, and reads it all in the audit trail", async ({
  browser,
}) => {
  const admin = await signedIn(browser, "admin", ADMIN_PASSWORD);
  await admin.getByRole("link", { name: "Users" }).click();
  await createUser(admin, OPERATOR.username, OPERATOR.password);
  await expect(admin.getByRole("status")).toHaveText(`User ${OPERATOR.username} was created.`);
  await expect(admin.getByTestId(`user-${OPERATOR.username}`)).toBeVisible();

  const operator = await signedIn(browser, OPERATOR.username, OPERATOR.password);
  await expect(operator.getByText(`${OPERATOR.username} (read only)`)).toBeVisible();

  await changeRole(admin, OPERATOR.username, "administrators");
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
  await changeRole(admin, DEPUTY.username, "observers");
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

test("a role is changed only once confirmed: walking the options with the keyboard changes nothing, and Escape cancels", async ({
  browser,
}) => {
  const admin = await signedIn(browser, "admin", ADMIN_PASSWORD);
  await admin.getByRole("link", { name: "Users" }).click();
  await createUser(admin, "careful1", "careful-password-1");
  await expect(admin.getByRole("status")).toHaveText("User careful1 was created.");
  const row = admin.getByTestId("user-careful1");
  const select = admin.getByLabel("Role of careful1");
  await select.focus();
  await admin.keyboard.press("ArrowUp"); // observers → administrators, chosen but not applied
  await expect(select).toHaveValue("administrators");
  await expect(row.getByRole("button", { name: "Change role" })).toBeVisible();
  await admin.reload();
  await expect(admin.getByLabel("Role of careful1")).toHaveValue("observers");

  await admin.getByLabel("Role of careful1").selectOption("administrators");
  await row.getByRole("button", { name: "Change role" }).click();
  const dialog = admin.getByRole("dialog", { name: "Change the role of careful1 to Administrators?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await admin.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Change role" })).toBeFocused(); // focus comes back
  await row.getByRole("button", { name: "Keep Observers" }).click();
  await expect(admin.getByLabel("Role of careful1")).toHaveValue("observers");

  await changeRole(admin, "careful1", "administrators");
  await expect(admin.getByRole("status")).toHaveText(
    "careful1 now has the role Administrators; their sessions have ended, and they sign in again to use it.",
  );
  await admin.reload();
  await expect(admin.getByLabel("Role of careful1")).toHaveValue("administrators");
});

test("a refused new user keeps what was typed, with the reason beside the field; the reset box is labelled and says why it refuses", async ({
  browser,
}) => {
  const admin = await signedIn(browser, "admin", ADMIN_PASSWORD);
  await admin.getByRole("link", { name: "Users" }).click();
  await createUser(admin, "shortpass1", "short", "administrators");
  const password = admin.getByLabel("Initial password");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription("Initial password must be at least 10 characters.");
  await expect(password).toBeFocused();
  await expect(admin.getByLabel("New username")).toHaveValue("shortpass1");
  await expect(password).toHaveValue("short");
  await expect(admin.locator(`select[name="role"]`)).toHaveValue("administrators");
  await expect(admin.getByTestId("user-shortpass1")).toHaveCount(0);

  await createUser(admin, "admin", "long-enough-password-1");
  await expect(admin.getByLabel("New username")).toHaveAccessibleDescription('A user named "admin" already exists.');
  await expect(admin.getByLabel("Initial password")).not.toHaveAttribute("aria-invalid", "true");

  await admin.getByLabel("New username").fill("shortpass1");
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("status")).toHaveText("User shortpass1 was created.");
  await expect(admin.getByLabel("New username")).toHaveValue(""); // emptied only once created

  const row = admin.getByTestId("user-shortpass1");
  await expect(row.getByText("New password", { exact: true })).toBeVisible(); // a visible label
  await row.getByLabel("New password for shortpass1").fill("tiny");
  await row.getByRole("button", { name: "Reset" }).click();
  await expect(row.locator(APP_ALERT)).toHaveText("New password must be at least 10 characters.");
  await expect(row.getByLabel("New password for shortpass1")).toBeFocused();
});
