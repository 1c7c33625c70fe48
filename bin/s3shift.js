#!/usr/bin/env node
// The s3shift command: the bundle `npm install` builds (scripts/build-cli.mjs) while it matches
// its sources, otherwise the TypeScript itself through tsx's loader (S3SHIFT_NO_BUNDLE=1 forces it).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { currentBundle } from "./cli-bundle.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const bundle =
  process.env.S3SHIFT_NO_BUNDLE === "1" ? undefined : currentBundle(path.resolve(import.meta.dirname, ".."));

if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../cli/main.ts");
}
