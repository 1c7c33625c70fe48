// `npm test`: builds the app (the API tests run the real Next.js server) and the command line's
// bundle, runs every suite, and ends with one plain line "N passed, N failed" summing them all.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const node = process.execPath;
const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NEXT_TELEMETRY_DISABLED: "1" };

function run(args: string[]): number {
  const result = spawnSync(node, args, { cwd: ROOT, stdio: "inherit", env });
  return result.status ?? 1;
}

let passed = 0;
let failed = 0;
let skipped = 0;

// Chromium, btrfs-progs and openssl come from Debian's packages; a fresh machine gets them here.
if (spawnSync("bash", [path.join(ROOT, "scripts/install-test-tools.sh")], { stdio: "inherit" }).status !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// The command line is tested as users run it: from its bundle, built from the sources as they are.
if (run([path.join(ROOT, "node_modules/next/dist/bin/next"), "build"]) !== 0 || run([path.join(ROOT, "scripts/build-cli.mjs")]) !== 0) {
  console.log("the build failed");
  failed++;
} else {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-vitest-")), "report.json");
  const extra = process.argv.slice(2);
  const code = run([path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra]);
  if (fs.existsSync(report)) {
    const summary = JSON.parse(fs.readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numFailedTestSuites: number; numPendingTests: number };
    passed += summary.numPassedTests;
    failed += summary.numFailedTests;
    skipped += summary.numPendingTests;
    // A file that failed to load has no failed test, but it failed.
    if (summary.numFailedTests === 0 && summary.numFailedTestSuites > 0) failed += summary.numFailedTestSuites;
  } else if (code !== 0) {
    failed++;
  }
  if (code !== 0 && failed === 0) failed++;

  // The console, in Debian's Chromium.
  const playwrightReport = path.join(path.dirname(report), "playwright.json");
  env.PLAYWRIGHT_JSON = playwrightReport;
  const e2e = run([path.join(ROOT, "node_modules/@playwright/test/cli.js"), "test"]);
  if (fs.existsSync(playwrightReport)) {
    const stats = (JSON.parse(fs.readFileSync(playwrightReport, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } }).stats;
    passed += stats.expected + stats.flaky;
    failed += stats.unexpected;
    skipped += stats.skipped;
  }
  if (e2e !== 0 && !fs.existsSync(playwrightReport)) failed++;
}

// Skipped tests (a machine without btrfs or mknod rights) are counted, never passed off as passing.
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
