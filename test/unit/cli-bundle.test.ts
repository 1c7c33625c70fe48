import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript, run before any TypeScript is loaded
import { BUNDLE_DIR, currentBundle, recordInputs } from "../../bin/cli-bundle.js";

function project() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-bundle-"));
  fs.mkdirSync(path.join(root, "cli"));
  fs.mkdirSync(path.join(root, BUNDLE_DIR));
  fs.writeFileSync(path.join(root, "cli/main.ts"), "export const a = 1;\n");
  fs.writeFileSync(path.join(root, BUNDLE_DIR, "s3shift.mjs"), "export const a = 1;\n");
  recordInputs(root, ["cli/main.ts"]);
  return root;
}

describe("the command line's prebuilt bundle", () => {
  it("is used while its sources are exactly those it was built from", () => {
    const root = project();
    expect(currentBundle(root)).toBe(path.join(root, BUNDLE_DIR, "s3shift.mjs"));
  });

  it("is not used once a source changes, even with an older modification time", () => {
    const root = project();
    const source = path.join(root, "cli/main.ts");
    fs.writeFileSync(source, "export const a = 2;\n");
    fs.utimesSync(source, new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(currentBundle(root)).toBeUndefined();
  });

  it("is not used when a source, the bundle or its record is missing", () => {
    for (const missing of ["cli/main.ts", `${BUNDLE_DIR}/s3shift.mjs`, `${BUNDLE_DIR}/inputs.json`]) {
      const root = project();
      fs.rmSync(path.join(root, missing));
      expect(currentBundle(root), missing).toBeUndefined();
    }
  });

  it("is what `npm install` built for this checkout", () => {
    expect(currentBundle(path.resolve(import.meta.dirname, "../.."))).toBeDefined();
  });
});
