import path from "node:path";
import { expect, type Page } from "@playwright/test";

const AXE = path.resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page as it is now (an open dialog included); serious and critical violations fail the test, named with where they are. */
export async function expectAccessible(page: Page, where = page.url()): Promise<void> {
  // A page that refreshes itself every second (a running job) may be caught between two renders:
  // axe looks once the document is whole again.
  await page.waitForFunction(() => document.readyState === "complete" && document.title !== "");
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    blocking.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `accessibility of ${where}`,
  ).toEqual([]);
}
