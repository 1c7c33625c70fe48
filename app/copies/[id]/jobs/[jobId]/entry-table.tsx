import { ClampedText } from "@/components/clamped-text";
import { TableHead } from "@/components/table-head";
import { JOBS_WITH_LISTS } from "@/lib/jobs/job-entry-rows";

/** Paths with why each one was not copied; a long path wraps inside its cell. */
export function EntryTable({
  label,
  rows,
  total,
}: {
  label: string;
  rows: Array<{ path: string; why: string }>;
  total: number;
}) {
  if (rows.length === 0)
    return (
      <p className="text-sm text-slate-600">
        {total.toLocaleString("en-US")} in all; their list is no longer kept (a copy keeps the lists of its{" "}
        {JOBS_WITH_LISTS} newest jobs). The replication log names each one.
      </p>
    );
  return (
    <>
      {total > rows.length && (
        <p className="mb-2 text-sm text-slate-600">
          The first {rows.length.toLocaleString("en-US")} of {total.toLocaleString("en-US")} are kept; the replication
          log names every one.
        </p>
      )}
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={`${label} (table)`}>
        <table className="w-full text-left text-sm">
          <TableHead columns={["Path", "Why"]} />
          <tbody>
            {rows.map((row, index) => (
              <tr key={index} className="border-b border-slate-100 align-top">
                <td className="py-1 pr-4 font-mono">
                  <ClampedText text={row.path} label="path" />
                </td>
                <td className="py-1">{row.why}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
