import fs from "node:fs";

/**
 * What the kernel must refuse for a service that reads as root beside other people's files:
 * with fs.protected_hardlinks off, anyone may hard-link a file they cannot read (another user's,
 * /etc/shadow) into a copied directory, and the job would read it as root and upload it.
 * Returns a warning to print, or undefined when the host protects itself.
 */
export function hostProtectionWarning(read = (file: string) => fs.readFileSync(file, "utf8")): string | undefined {
  let value: string;
  try {
    value = read("/proc/sys/fs/protected_hardlinks").trim();
  } catch {
    return "cannot read /proc/sys/fs/protected_hardlinks: make sure users cannot hard-link files they may not read into copied directories";
  }
  if (value === "1") return undefined;
  return "fs.protected_hardlinks is off: any user may hard-link a file they cannot read into a copied directory, and copies to S3 (run as root) would upload it. Turn it on: sysctl -w fs.protected_hardlinks=1";
}
