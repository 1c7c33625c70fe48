// The unit and engine suites once more, on Node 24 LTS (prepared by scripts/node24.sh), so the code
// keeps working on the release the AWS SDK will need; the API and console suites run on one Node only.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { type Counts, ROOT, vitestPass } from "./vitest-pass";

export const NODE24_SUITES = ["test/unit", "test/engine"];

// Prepares Node 24 when `fetch` is set (downloading and compiling on a first run); otherwise only
// finds it already prepared. Returns its binary, or undefined (scripts/node24.sh said why on stderr).
export function findNode24(fetch: boolean): string | undefined {
  const args = [path.join(ROOT, "scripts/node24.sh"), ...(fetch ? [] : ["--installed"])];
  const result = spawnSync("bash", args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export function node24Pass(node: string, files: string[], env: NodeJS.ProcessEnv): Counts {
  const preload = `--require=${JSON.stringify(path.join(ROOT, "scripts/node24-binding.cjs"))}`;
  return vitestPass(node, files, {
    ...env,
    // Whatever the tests start by name ("node", npx) runs on Node 24 too.
    PATH: `${path.dirname(node)}${path.delimiter}${env.PATH ?? ""}`,
    NODE_OPTIONS: [preload, env.NODE_OPTIONS].filter(Boolean).join(" "),
  });
}
