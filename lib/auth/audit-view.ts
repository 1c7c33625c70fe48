/** What the audit trail shows of an event beyond its columns: a link for its target, its detail in words. */

import { toCsv } from "@/lib/csv";

/** Where an event's target can be looked at in the console, if anywhere. */
export function auditTargetHref(action: string, target: string): string | undefined {
  if (action.startsWith("relationship.") && /^[0-9a-f-]{36}$/i.test(target)) return `/copies/${target}`;
  if (action.startsWith("user.") || action.startsWith("session.")) {
    return `/admin/audit?actor=${encodeURIComponent(target)}`;
  }
  return undefined;
}

/** The detail's fields as "name: value" pairs; a detail that is not a JSON object is shown as it is. */
export function auditDetailPairs(detail: string): Array<[string, string]> {
  if (!detail) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return [["detail", detail]];
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return [["detail", detail]];
  return Object.entries(parsed as Record<string, unknown>).map(([name, value]) => [
    name.replace(/_/g, " "),
    Array.isArray(value)
      ? value.map(String).join(", ")
      : typeof value === "object" && value
        ? JSON.stringify(value)
        : String(value),
  ]);
}

/** The events as CSV (see toCsv for how cells a spreadsheet would run are defused). */
export function auditCsv(
  events: Array<{ at: string; actor: string; action: string; target: string; detail: string }>,
): string {
  return toCsv(
    ["time (UTC)", "actor", "action", "target", "detail"],
    events.map((e) => [e.at, e.actor, e.action, e.target, e.detail]),
  );
}
