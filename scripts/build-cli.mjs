// Bundles the s3shift command line into one JavaScript file (.cli/s3shift.mjs), so that a command
// starts in a fraction of the time TypeScript through tsx takes. Run by `npm install`; bin/s3shift.js
// uses the bundle only while every source it was built from is unchanged (.cli/inputs.json).
import path from "node:path";
import { build } from "esbuild";
import { BUNDLE_DIR, recordInputs } from "../bin/cli-bundle.js";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, BUNDLE_DIR);
const result = await build({
  absWorkingDir: root,
  entryPoints: ["cli/main.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: path.join(out, "s3shift.mjs"),
  // Dependencies stay in node_modules: the bundle holds this project's code only.
  packages: "external",
  metafile: true,
  logLevel: "warning",
});
recordInputs(root, Object.keys(result.metafile.inputs));
