// A page planted in the demo S3 endpoint cannot run in a browser: Chromium opening the object's
// (validly presigned) URL downloads it instead of rendering it, and its script never runs.
import fs from "node:fs";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { expect, test } from "@playwright/test";
import { presignedGet, startDemoS3Server, urlOf, type DemoS3 } from "../support/demo-s3";
import { inspectionClient } from "../support/s3-server";

const BUCKET = "demo";
const PAGE = `<!doctype html><html><head><title>planted</title></head><body><h1>planted page</h1>
<script>document.title = "script ran"; fetch("/ran")</script></body></html>`;
let demo: DemoS3;
let s3: S3Client;

test.beforeAll(async () => {
  demo = await startDemoS3Server([BUCKET]);
  s3 = inspectionClient(demo.endpoint);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "site/index.html", Body: PAGE, ContentType: "text/html" }));
});

test.afterAll(async () => {
  s3?.destroy();
  await demo?.stop();
});

test("opening a planted .html object downloads it, and its script never runs", async ({ page }) => {
  const url = urlOf(demo.endpoint, await presignedGet(demo.endpoint, `/${BUCKET}/site/index.html`));
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  const download = page.waitForEvent("download");
  // Chromium turns the navigation into a download, so goto itself reports that it was aborted.
  const navigation = await page.goto(url).catch((error: Error) => error);
  expect(navigation).toBeInstanceOf(Error);
  expect((navigation as Error).message).toContain("Download is starting");
  const file = await download;
  expect(file.suggestedFilename()).toBe("index.html");
  expect(fs.readFileSync(await file.path(), "utf8")).toBe(PAGE);
  expect(await page.title()).not.toBe("script ran");
  await expect(page.getByRole("heading", { name: "planted page" })).toHaveCount(0);
  expect(requests.filter((r) => r.endsWith("/ran"))).toEqual([]);
});
