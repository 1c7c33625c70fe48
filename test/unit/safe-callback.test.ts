import { describe, expect, it } from "vitest";
import { safeCallback } from "@/web/safe-callback";

const SITE = "http://127.0.0.1:3000";

describe("the page to open after sign-in", () => {
  it.each([
    ["/copies/abc?tab=log", "/copies/abc?tab=log"],
    ["/admin/users", "/admin/users"],
    [`${SITE}/admin/audit?action=user`, "/admin/audit?action=user"],
    [undefined, "/copies"],
    ["/", "/copies"],
  ])("follows a path of this site: %s", (url, expected) => {
    expect(safeCallback(url, SITE)).toBe(expected);
  });

  it.each([
    "/.//127.0.0.1:18080/x",
    "http://x//host",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/./\\evil.example",
    "/%2e//evil.example",
    "https://evil.example/copies",
    "http://127.0.0.1:18080/copies",
    "javascript:alert(1)",
    "http://[::1",
  ])("never leaves the site: %s", (url) => {
    const target = safeCallback(url, SITE);
    expect(new URL(target, SITE).origin).toBe(SITE);
    // As the browser will read it: relative to the page, with dot segments removed.
    expect(new URL(target, `${SITE}/signin`).origin).toBe(SITE);
  });
});
