import { downloadResponse } from "@/lib/api/respond";
import { auditCsv } from "@/lib/auth/audit-view";
import { listAuditEvents } from "@/lib/auth/list-audit-events";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { apiRoute } from "@/web/api-route";

/** The audit trail as CSV, narrowed by the same filters as the page (up to 1,000 events, newest first). */
export const GET = apiRoute(PRIVILEGES.AUDIT_READ, async ({ request }) => {
  const query = new URL(request.url).searchParams;
  const events = await listAuditEvents({
    actor: query.get("actor") || undefined,
    action: query.get("action") || undefined,
    target: query.get("target") || undefined,
    limit: 1000,
  });
  return downloadResponse({
    filename: "audit-trail.csv",
    contentType: "text/csv; charset=utf-8",
    body: auditCsv(events),
  });
});
