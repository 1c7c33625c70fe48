import Link from "next/link";
import { auditDetailPairs, auditTargetHref } from "@/lib/auth/audit-view";
import { listAuditEvents } from "@/lib/auth/list-audit-events";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { AppError } from "@/lib/errors";
import { ConsoleHeader } from "@/components/console-header";
import { LacksPrivilege } from "@/components/lacks-privilege";
import { requireSession } from "@/web/console-session";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { principal, header } = await requireSession();
  const allowed = hasPrivilege(principal, PRIVILEGES.AUDIT_READ);
  const params = await searchParams;
  const filter = {
    actor: params.actor || undefined,
    action: params.action || undefined,
    target: params.target || undefined,
  };
  let events: Awaited<ReturnType<typeof listAuditEvents>> = [];
  let problem: string | undefined;
  if (allowed) {
    try {
      events = await listAuditEvents(filter);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problem = error.message;
    }
  }
  return (
    <>
      <ConsoleHeader {...header} />
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <h1 className="mb-6 text-2xl font-semibold">Audit trail</h1>
        {!allowed ? (
          <LacksPrivilege privilege={PRIVILEGES.AUDIT_READ} what="The audit trail" />
        ) : (
          <>
            <form method="get" className="mb-6 flex flex-wrap items-end gap-3 text-sm">
              {(["actor", "action", "target"] as const).map((name) => (
                <label key={name} className="flex flex-col gap-1 font-medium">
                  {{ actor: "Who", action: "Action (prefix)", target: "Target contains" }[name]}
                  <input
                    name={name}
                    defaultValue={filter[name] ?? ""}
                    className="rounded border border-slate-300 px-3 py-1 font-normal"
                  />
                </label>
              ))}
              <button type="submit" className="rounded bg-blue-700 px-4 py-1.5 font-medium text-white">
                Filter
              </button>
              <a
                href={`/admin/audit/export?${new URLSearchParams(
                  Object.entries(filter).filter((entry): entry is [string, string] => !!entry[1]),
                )}`}
                download
                className="py-1.5 text-blue-700 underline hover:text-blue-900"
              >
                Download CSV
              </a>
            </form>
            {problem && (
              <p role="alert" className="mb-4 text-sm text-red-700">
                {problem}
              </p>
            )}
            <table className="w-full text-left text-sm">
              <TableHead columns={["When (UTC)", "Who", "Action", "Target", "Detail"]} />
              <tbody>
                {events.map((e, i) => (
                  <tr key={i} className="border-b border-slate-100 align-top" data-testid="audit-row">
                    <td className="py-1 pr-4 whitespace-nowrap">{e.at.replace("T", " ").slice(0, 19)}</td>
                    <td className="py-1 pr-4">
                      <Link href={`/admin/audit?actor=${encodeURIComponent(e.actor)}`} className="underline">
                        {e.actor}
                      </Link>
                    </td>
                    <td className="py-1 pr-4 font-mono">{e.action}</td>
                    <td className="py-1 pr-4 font-mono">
                      <AuditTarget action={e.action} target={e.target} />
                    </td>
                    <td className="py-1">
                      <dl className="text-xs">
                        {auditDetailPairs(e.detail).map(([name, value]) => (
                          <div key={name}>
                            <dt className="inline text-slate-600">{name}: </dt>
                            <dd className="inline">{value}</dd>
                          </div>
                        ))}
                      </dl>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {events.length === 0 && <p className="text-slate-600">No events match.</p>}
          </>
        )}
      </main>
    </>
  );
}

function AuditTarget({ action, target }: { action: string; target: string }) {
  const href = auditTargetHref(action, target);
  return href ? (
    <Link href={href} className="underline">
      {target}
    </Link>
  ) : (
    <>{target}</>
  );
}
