// `npm test`: lints and checks the formatting, builds the app (the API tests run the real Next.js
// server) and the command line's bundle, runs every suite, then the unit and engine suites once more on Node 24, and ends with one
// plain line "N passed, N failed" summing them all.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findNode24, NODE24_SUITES, node24Pass } from "./node24-pass";
import { startPostgres, type PostgresServer } from "./postgres-server";
import { type Counts, failureLine, ROOT, runNode, summarize, vitestPass } from "./vitest-pass";

/** Every suite that reaches the service's database: run a second time with PostgreSQL as that database. */
const POSTGRES_SUITES = ["test/api", "test/cli", "test/hosts", "test/ceph/crash-on-ceph.test.ts", "test/e2e"];

const node = process.execPath;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  NEXT_TELEMETRY_DISABLED: "1",
};
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const passes: string[] = [];
const failures: string[] = [];

function add(name: string, counts: Counts): void {
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  passes.push(`${name}: ${summarize(counts)}`);
  for (const failure of counts.failures ?? []) failures.push(`failed in ${name}: ${failure}`);
}

// Chromium, btrfs-progs and openssl come from Debian's packages; a fresh machine gets them here.
if (spawnSync("bash", [path.join(ROOT, "scripts/install-test-tools.sh")], { stdio: "inherit" }).status !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// The linter (layers, hooks, TypeScript rules) and the formatter come first; a finding fails the run,
// and the suites still run so one report shows everything.
for (const [name, cli, args] of [
  ["lint (eslint)", "node_modules/eslint/bin/eslint.js", ["."]],
  ["format (prettier --check)", "node_modules/prettier/bin/prettier.cjs", ["--check", "--log-level", "warn", "."]],
] as const) {
  const clean = runNode(node, [path.join(ROOT, cli), ...args], env) === 0;
  add(name, { passed: clean ? 1 : 0, failed: clean ? 0 : 1, skipped: 0 });
}

// The command line is tested as users run it: from its bundle, built from the sources as they are.
const filters = process.argv.slice(2);
const built =
  runNode(node, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], env) === 0 &&
  runNode(node, [path.join(ROOT, "scripts/build-cli.mjs")], env) === 0;
if (!built) {
  console.log("the build failed");
  total.failed++;
} else {
  add(
    `vitest${filters.length > 0 ? ` ${filters.join(" ")}` : ", every suite,"} on Node ${process.versions.node}`,
    vitestPass(node, filters, env),
  );

  // The console, in Debian's Chromium.
  add(`the console in Chromium, on Node ${process.versions.node}`, playwrightPass(env));
}

// The suites that reach the database once more, on PostgreSQL: one cluster for the pass, a
// database of its own for each app (test/support/test-database.ts).
const postgresFiles = filters.length === 0 ? POSTGRES_SUITES : filters.filter(inPostgresSuites);
if (built && postgresFiles.length > 0) {
  let server: PostgresServer | undefined;
  try {
    server = await startPostgres();
  } catch (error) {
    console.log(`PostgreSQL could not be started for its pass: ${(error as Error).message}`);
    total.failed++;
  }
  if (server) {
    const pgEnv = { ...env, SHIFT_TEST_DATABASE: "postgresql", SHIFT_TEST_POSTGRES_URL: server.url() };
    try {
      const vitestFiles = postgresFiles.filter((f) => !f.startsWith("test/e2e"));
      if (vitestFiles.length > 0)
        add(`${vitestFiles.join(" and ")} on PostgreSQL`, vitestPass(node, vitestFiles, pgEnv));
      if (postgresFiles.some((f) => f.startsWith("test/e2e")))
        add("the console in Chromium, on PostgreSQL", playwrightPass(pgEnv));
    } finally {
      server.stop();
    }
  }
}

// SHIFT_TEST_NODE24=required (CI) prepares Node 24 if need be and fails when it cannot; otherwise
// the pass runs where a developer has prepared it (bash scripts/node24.sh).
// `npm test -- <files>` narrows it as it narrows the first pass; it needs the build (the CLI's bundle).
const required = env.SHIFT_TEST_NODE24 === "required";
const node24Files = filters.length === 0 ? NODE24_SUITES : filters.filter(inNode24Suites);
const node24 = built && node24Files.length > 0 ? findNode24(required) : undefined;
if (!built || node24Files.length === 0) {
  console.log(`the Node 24 pass did not run: ${!built ? "the build failed" : "no file given is in its suites"}`);
} else if (node24) {
  const version = spawnSync(node24, ["--version"], { encoding: "utf8" }).stdout.trim().replace(/^v/, "");
  add(`${node24Files.join(" and ")} on Node ${version}`, node24Pass(node24, node24Files, env));
} else if (required) {
  console.log("Node 24 could not be prepared (scripts/node24.sh), so its pass did not run");
  total.failed++;
} else {
  console.log(
    `${NODE24_SUITES.join(" and ")} did not run on Node 24: it is not prepared here (bash scripts/node24.sh)`,
  );
}

// Each failure named again at the end, where a reader of only the run's last lines looks.
for (const line of failures.slice(0, 30)) console.log(line);
if (failures.length > 30) console.log(`… and ${failures.length - 30} more failures, named above`);
for (const line of passes) console.log(line);
// Skipped tests (a machine without btrfs or mknod rights) are counted, never passed off as passing.
console.log(summarize(total));
process.exit(total.failed > 0 ? 1 : 0);

function inNode24Suites(file: string): boolean {
  const relative = path.relative(ROOT, path.resolve(ROOT, file));
  return NODE24_SUITES.some((suite) => relative === suite || relative.startsWith(`${suite}${path.sep}`));
}

/** The console's specs in Chromium, counted from Playwright's JSON report. */
function playwrightPass(passEnv: NodeJS.ProcessEnv): Counts {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-playwright-")), "report.json");
  const code = runNode(node, [path.join(ROOT, "node_modules/@playwright/test/cli.js"), "test"], {
    ...passEnv,
    PLAYWRIGHT_JSON: report,
  });
  try {
    if (!fs.existsSync(report)) return { passed: 0, failed: code === 0 ? 0 : 1, skipped: 0 };
    const parsed = JSON.parse(fs.readFileSync(report, "utf8")) as {
      stats: { expected: number; unexpected: number; flaky: number; skipped: number };
      suites?: PlaywrightSuite[];
    };
    const { stats } = parsed;
    return {
      passed: stats.expected + stats.flaky,
      failed: stats.unexpected,
      skipped: stats.skipped,
      failures: (parsed.suites ?? []).flatMap((suite) => failedSpecs(suite, [])),
    };
  } finally {
    fs.rmSync(path.dirname(report), { recursive: true, force: true });
  }
}

interface PlaywrightSuite {
  title: string;
  file?: string;
  suites?: PlaywrightSuite[];
  specs?: {
    title: string;
    file: string;
    line: number;
    tests: { status: string; results: { error?: { message?: string } }[] }[];
  }[];
}

function failedSpecs(suite: PlaywrightSuite, titles: string[]): string[] {
  const here = suite.file ? titles : [...titles, suite.title];
  return [
    ...(suite.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((t) => t.status === "unexpected")
        .map((t) =>
          failureLine(
            `test/e2e/${spec.file}:${spec.line} > ${[...here, spec.title].filter(Boolean).join(" > ")}`,
            t.results.at(-1)?.error?.message,
          ),
        ),
    ),
    ...(suite.suites ?? []).flatMap((child) => failedSpecs(child, here)),
  ];
}

function inPostgresSuites(file: string): boolean {
  const relative = path.relative(ROOT, path.resolve(ROOT, file));
  return POSTGRES_SUITES.some((suite) => relative === suite || relative.startsWith(`${suite}${path.sep}`));
}
