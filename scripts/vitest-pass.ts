// One vitest run under a given Node binary, counted from its JSON report (its closing lines are
// not read: a file that failed to load has no failed test, but it failed).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** What failed, a line each ("file > test: first line of the error"), for the run's closing lines. */
  failures?: string[];
}

export const ROOT = path.resolve(import.meta.dirname, "..");

export function runNode(node: string, args: string[], env: NodeJS.ProcessEnv): number {
  return spawnSync(node, args, { cwd: ROOT, stdio: "inherit", env }).status ?? 1;
}

export function vitestPass(node: string, args: string[], env: NodeJS.ProcessEnv): Counts {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3shift-vitest-")), "report.json");
  const code = runNode(
    node,
    [
      path.join(ROOT, "node_modules/vitest/vitest.mjs"),
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    env,
  );
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  if (fs.existsSync(report)) {
    const summary = JSON.parse(fs.readFileSync(report, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numFailedTestSuites: number;
      numPendingTests: number;
      testResults?: {
        name: string;
        status: string;
        message?: string;
        assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
      }[];
    };
    counts.passed = summary.numPassedTests;
    counts.failed = summary.numFailedTests;
    counts.skipped = summary.numPendingTests;
    if (summary.numFailedTests === 0 && summary.numFailedTestSuites > 0) counts.failed = summary.numFailedTestSuites;
    counts.failures = (summary.testResults ?? []).flatMap((file) => {
      const where = path.relative(ROOT, file.name);
      const tests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
      if (tests.length === 0) return file.status === "failed" ? [failureLine(where, file.message)] : [];
      return tests.map((t) => failureLine(`${where} > ${t.fullName}`, t.failureMessages?.[0]));
    });
  }
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
  return counts;
}

// eslint-disable-next-line no-control-regex
const COLOUR_CODES = /\u001b\[[0-9;]*m/g;

export function failureLine(where: string, message: string | undefined): string {
  // Colour codes and stack frames would drown the one line a reader of the run's tail needs.
  const first = (message ?? "")
    .replace(COLOUR_CODES, "")
    .split("\n")
    .find((line) => line.trim() !== "");
  return first ? `${where}: ${first.trim().slice(0, 300)}` : where;
}

export function summarize(counts: Counts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}
