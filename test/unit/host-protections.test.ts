import { describe, expect, it } from "vitest";
import { hostProtectionWarning } from "@/lib/fs/host-protections";

describe("the host's protection against hard links to files a user cannot read", () => {
  it("is checked on this machine", () => {
    // The kernel's default on Debian; the tests that copy as root rely on it as users' hosts do.
    expect(hostProtectionWarning()).toBeUndefined();
  });

  it("is warned about when off, and when it cannot be read", () => {
    expect(hostProtectionWarning(() => "0\n")).toBe(
      "fs.protected_hardlinks is off: any user may hard-link a file they cannot read into a copied directory, and copies to S3 (run as root) would upload it. Turn it on: sysctl -w fs.protected_hardlinks=1",
    );
    expect(
      hostProtectionWarning(() => {
        throw new Error("ENOENT");
      }),
    ).toMatch(/^cannot read \/proc\/sys\/fs\/protected_hardlinks/);
  });
});
