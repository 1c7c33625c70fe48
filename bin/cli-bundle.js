// Whether the prebuilt bundle of the command line (scripts/build-cli.mjs) still matches its
// sources: each source's SHA-256 is recorded when the bundle is built and compared here (a few
// small files: well under a millisecond).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const BUNDLE_DIR = ".cli";

const digestOf = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Records the sources of a bundle just built (paths relative to `root`). */
export function recordInputs(root, inputs) {
  const digests = Object.fromEntries(inputs.map((input) => [input, digestOf(path.join(root, input))]));
  fs.writeFileSync(path.join(root, BUNDLE_DIR, "inputs.json"), JSON.stringify(digests));
}

/** The bundle's path when it exists and every source is as it was built from; otherwise undefined. */
export function currentBundle(root) {
  try {
    const bundle = path.join(root, BUNDLE_DIR, "s3shift.mjs");
    const digests = JSON.parse(fs.readFileSync(path.join(root, BUNDLE_DIR, "inputs.json"), "utf8"));
    const current = fs.existsSync(bundle) && Object.entries(digests).every(([input, digest]) => digestOf(path.join(root, input)) === digest);
    return current ? bundle : undefined;
  } catch {
    return undefined;
  }
}
