"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useSearchParams } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import {
  bucketsOf,
  EMPTY_QUERY,
  filterStatuses,
  isFiltered,
  listQueryString,
  parseListQuery,
  type ListQuery,
  type SortKey,
} from "@/lib/replication/filter-statuses";
import type { RelationshipStatus } from "@/lib/replication/views";
import { CopyRow, COLUMN } from "./copy-row";
import { ListControls } from "./list-controls";
import { SortHeader, type Column } from "./sort-header";

type Status = RelationshipStatus;

const COLUMNS: Column[] = [
  { label: COLUMN.direction },
  { label: COLUMN.directory, sort: "directory" },
  { label: COLUMN.bucket, sort: "bucket" },
  { label: COLUMN.endpoint, sort: "endpoint" },
  { label: COLUMN.state, sort: "state" },
  { label: COLUMN.lastRun, sort: "last-run" },
  { label: COLUMN.lastSuccess, sort: "last-success" },
];

/**
 * The copies, polled every second so a running job is never more than ~1 s behind, with search,
 * filters and sorting kept in the URL. The URL is rewritten in place (history.replaceState, which
 * Next.js reflects in useSearchParams) rather than navigated to: a keystroke in the search box
 * costs no request to the server and no new history entry.
 */
export function RelationshipList({ canWrite }: { canWrite: boolean }) {
  const pathname = usePathname();
  const params = useSearchParams();
  const query = useMemo(() => parseListQuery(params), [params]);
  const [search, setSearch] = useState(query.q);
  const searchBox = useRef<HTMLInputElement>(null);

  const { data, error } = useQuery({
    queryKey: ["statuses"],
    queryFn: async (): Promise<Status[]> => {
      const response = await fetch("/v3/replication/object-relationships/status/", { cache: "no-store" });
      if (!response.ok) throw new Error(((await response.json()) as { description: string }).description);
      return response.json();
    },
    refetchInterval: 1000,
  });

  const view = useMemo(() => ({ ...query, q: search }), [query, search]);
  const shown = useMemo(() => (data ? filterStatuses(data, view) : []), [data, view]);
  const buckets = useMemo(() => (data ? bucketsOf(data) : []), [data]);

  function update(change: Partial<ListQuery>) {
    window.history.replaceState(null, "", `${pathname}${listQueryString({ ...query, q: search, ...change })}`);
  }
  function onSearch(text: string) {
    setSearch(text);
    update({ q: text });
  }
  function onSort(key: SortKey) {
    update({ sort: key, order: query.sort === key && query.order === "asc" ? "desc" : "asc" });
  }
  // Sorting is kept: it hides nothing. Focus goes to the search box, as the button goes away.
  function clear() {
    setSearch("");
    window.history.replaceState(
      null,
      "",
      `${pathname}${listQueryString({ ...EMPTY_QUERY, sort: query.sort, order: query.order })}`,
    );
    searchBox.current?.focus();
  }

  if (error && !data)
    return (
      <p role="alert" className="text-red-700">
        {error.message}
      </p>
    );
  if (!data) return <p>Loading…</p>;
  if (data.length === 0) return <p className="text-slate-600">No copies yet.</p>;
  const filtered = isFiltered(view);
  return (
    <div>
      <ListControls
        searchBox={searchBox}
        query={query}
        search={search}
        buckets={buckets}
        onSearch={onSearch}
        onChange={update}
      />
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        <p aria-live="polite" className="text-slate-700" data-testid="copy-count">
          {shown.length} of {data.length} {data.length === 1 ? "copy" : "copies"}
        </p>
        {filtered && shown.length > 0 && (
          <button type="button" onClick={clear} className="text-blue-800 underline hover:text-blue-900">
            Clear filters
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="mb-3 text-sm text-red-700">
          The list could not be refreshed: {error.message}
        </p>
      )}
      {shown.length === 0 ? (
        <div className="rounded border border-slate-200 p-6 text-center">
          <p className="font-medium">No copy matches these filters.</p>
          <button type="button" onClick={clear} className="mt-2 text-sm text-blue-800 underline hover:text-blue-900">
            Clear filters
          </button>
        </div>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-left text-sm">
            <SortHeader
              columns={canWrite ? [...COLUMNS, { label: COLUMN.actions }] : COLUMNS}
              sort={query.sort}
              order={query.order}
              onSort={onSort}
            />
            <tbody>
              {shown.map((status) => (
                <CopyRow key={status.id} status={status} canWrite={canWrite} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
