import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { relationshipBody, signIn } from "../support/e2e";
import { ADMIN_PASSWORD, freePort, startApp, type AppServer } from "../support/app-server";
import { startS3Server, type S3TestServer } from "../support/s3-server";

const BUCKET = "cross-site-bucket";
let app: AppServer;
let s3: S3TestServer;
let attacker: http.Server;
let attackerUrl: string;

/**
 * A page on another port of the same host (same site, another origin) that, opened by a signed-in
 * administrator, creates a relationship through the API with the console's cookie: first by a
 * no-cors fetch with a text/plain body, then by a text/plain form whose body reads as JSON.
 */
function attackPage(apiUrl: string, body: object): string {
  const json = JSON.stringify({ ...body, object_folder: "by-fetch/" });
  const formJson = JSON.stringify({ ...body, object_folder: "=by-form/" });
  // A text/plain form sends `name=value`: the name is the JSON up to the folder's value.
  const cut = formJson.indexOf('"=by-form/"') + 1;
  return `<!doctype html><html><body>
<form id="form" method="POST" action="${apiUrl}" enctype="text/plain">
  <input type="hidden" name='${formJson.slice(0, cut)}' value='${formJson.slice(cut + 1)}'>
</form>
<script>
  fetch(${JSON.stringify(apiUrl)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(json)} })
    .then(() => { document.title = "fetch sent"; }, () => { document.title = "fetch failed"; });
</script>
</body></html>`;
}

test.beforeAll(async () => {
  [app, s3] = await Promise.all([startApp({ worker: false }), startS3Server([BUCKET])]);
  fs.mkdirSync(path.join(app.fsRoot, "target"));
  const page = attackPage(
    `${app.url}/v3/replication/object-relationships/`,
    relationshipBody(s3.port, { local_directory_path: "/target", bucket: BUCKET }),
  );
  attacker = http.createServer((_request, response) =>
    response.writeHead(200, { "content-type": "text/html" }).end(page),
  );
  const port = await freePort();
  await new Promise<void>((resolve) => attacker.listen(port, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${port}/`;
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker?.close(resolve));
  await Promise.all([app?.stop(), s3?.stop()]);
});

test("a page on another port of the same host cannot create a relationship with the console's cookie", async ({
  page,
}) => {
  await signIn(page, app.url, "admin", ADMIN_PASSWORD);
  const apiAnswers: number[] = [];
  // The attacker's requests only: the console's own page may still be refreshing what it shows.
  page.on("response", (response) => {
    if (response.url().startsWith(`${app.url}/v3/`) && response.request().method() === "POST")
      apiAnswers.push(response.status());
  });

  await page.goto(attackerUrl);
  await expect(page).toHaveTitle("fetch sent");
  await page.locator("#form").evaluate((form: HTMLFormElement) => form.submit());
  await page.waitForURL(`${app.url}/v3/replication/object-relationships/`);
  // The cookie went with it (no 401), and the server refused the request for where it came from.
  await expect(page.locator("body")).toContainText(
    '{"error_class":"forbidden","description":"Requests signed in with the console\'s session must come from the console\'s own pages; scripts send a bearer token from POST /v1/session/login."}',
  );
  expect(apiAnswers).toEqual([403, 403]);

  const token = await app.login();
  expect((await app.call("GET", "/v3/replication/object-relationships/", { token })).json).toEqual([]);
  await page.goto(`${app.url}/admin/audit`);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  await expect(page.getByTestId("audit-row").filter({ hasText: "relationship" })).toHaveCount(0);
});
