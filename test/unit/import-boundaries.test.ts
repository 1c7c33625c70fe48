import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: ROOT });

/** The rule ids and messages ESLint gives `code` as if it were the file at `file`. */
async function findings(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the import boundaries between the layers", () => {
  it("refuses lib/s3 importing the engine, by alias and by relative path", async () => {
    const code =
      'import { sameFingerprint } from "@/lib/engine/fingerprint";\nimport { walkTree } from "../engine/walk";\nexport { sameFingerprint, walkTree };\n';
    const found = await findings("lib/s3/put-object.ts", code);
    expect(found.filter((f) => f.includes("lib/s3 speaks S3 for anyone"))).toHaveLength(2);
  });

  it("refuses lib/ importing a route, a component or Next.js", async () => {
    const code = [
      'import { redirect } from "next/navigation";',
      'import { createCopy } from "@/app/copies/new/actions";',
      'import { ConsoleHeader } from "@/components/console-header";',
      "export { redirect, createCopy, ConsoleHeader };",
    ].join("\n");
    const found = await findings("lib/replication/job-states.ts", code);
    expect(found).toContain(
      "no-restricted-imports: 'next/navigation' import is restricted from being used by a pattern. lib/ does not depend on Next.js or React: keep framework code in app/ and web/.",
    );
    expect(
      found.filter((f) => f.startsWith("import-x/no-restricted-paths:") && f.includes("lib/ holds the domain")),
    ).toHaveLength(2);
  });

  it("refuses the engine importing the worker, and the API's operations importing the worker", async () => {
    expect(
      (await findings("lib/engine/walk.ts", 'import { runJob } from "@/lib/jobs/run-job";\nexport { runJob };\n')).join(
        "\n",
      ),
    ).toContain("knows nothing of jobs");
    expect(
      (
        await findings("lib/replication/views.ts", 'import { runJob } from "@/lib/jobs/run-job";\nexport { runJob };\n')
      ).join("\n"),
    ).toContain("lib/replication answers requests");
  });

  it("lets the worker import the engine and the API's operations", async () => {
    const code =
      'import { copyToObject } from "@/lib/engine/copy-to-object";\nimport { findRelationship } from "@/lib/replication/find-relationship";\nexport { copyToObject, findRelationship };\n';
    expect(await findings("lib/jobs/run-job.ts", code)).toEqual([]);
  });
});
