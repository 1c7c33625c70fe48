import { expect, type Page } from "@playwright/test";
import { S3RVER_KEY, S3RVER_SECRET } from "./s3-server";

/** Signs in through the console's own form and waits for the copies page. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Copy to/from S3" })).toBeVisible();
}

/** A create body for a relationship to a path-style s3rver (or a proxy in front of it) on loopback. */
export function relationshipBody(
  port: number,
  fields: { local_directory_path: string; bucket: string; object_folder?: string },
) {
  return {
    object_store_address: "http://127.0.0.1",
    port,
    bucket_style: "BUCKET_STYLE_PATH",
    access_key_id: S3RVER_KEY,
    secret_access_key: S3RVER_SECRET,
    ...fields,
  };
}
