"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import {
  bucketsOf,
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

/** How long after a Stop or Repeat the list still looks after the focus of the row it changed. */
const ACTION_SETTLES_MS = 10_000;

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
 *
 * The view is this component's state, and the address follows it: useSearchParams reflects a
 * rewrite a render or more later, and a control bound to it would be set back in between (a second
 * ArrowDown in a select would start again from the first). An address it did not write (the
 * header's link, Back) sets the view.
 */
export function RelationshipList({ canWrite }: { canWrite: boolean }) {
  const pathname = usePathname();
  const params = useSearchParams();
  const [query, setQuery] = useState(() => parseListQuery(params));
  const search = query.q;
  // What this list wrote to the address, until the address caught up with its latest write.
  const written = useRef({ all: new Set<string>(), latest: "" });
  const searchBox = useRef<HTMLInputElement>(null);
  const [notice, setNotice] = useState("");
  const countLine = useRef<HTMLParagraphElement>(null);
  // The copy whose Stop or Repeat was pressed, and when: the change can take its row out of a
  // filtered view, or move it in a sorted one, a second or two later.
  const acted = useRef<{ id: string; at: number } | null>(null);

  useEffect(() => {
    const address = listQueryString(parseListQuery(params));
    const mine = written.current;
    if (mine.all.has(address)) {
      if (address === mine.latest) mine.all = new Set([address]);
      return;
    }
    mine.all = new Set([address]);
    mine.latest = address;
    setQuery(parseListQuery(params));
  }, [params]);

  const { data, error } = useQuery({
    queryKey: ["statuses"],
    queryFn: async (): Promise<Status[]> => {
      const response = await fetch("/v3/replication/object-relationships/status/", { cache: "no-store" });
      if (!response.ok) throw new Error(((await response.json()) as { description: string }).description);
      return response.json();
    },
    refetchInterval: 1000,
  });

  const view = query;
  const shown = useMemo(() => (data ? filterStatuses(data, view) : []), [data, view]);
  const buckets = useMemo(() => (data ? bucketsOf(data) : []), [data]);

  function update(change: Partial<ListQuery>) {
    const next = { ...query, ...change };
    const address = listQueryString(next);
    written.current.all.add(address);
    written.current.latest = address;
    setQuery(next);
    window.history.replaceState(null, "", `${pathname}${address}`);
  }
  function onSearch(text: string) {
    update({ q: text });
  }
  function onSort(key: SortKey) {
    update({ sort: key, order: query.sort === key && query.order === "asc" ? "desc" : "asc" });
  }
  // A row that held the focus and was re-sorted gets it back; one that left the view hands it to
  // the count line, which says why.
  useEffect(() => {
    const last = acted.current;
    if (!last || Date.now() - last.at > ACTION_SETTLES_MS) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    const button = document.querySelector<HTMLElement>(`[data-row-action="${CSS.escape(last.id)}"]`);
    if (button) return button.focus();
    acted.current = null;
    const left = data?.find((s) => s.id === last.id);
    setNotice(left ? `${left.local_directory_path} no longer matches the filters.` : "");
    countLine.current?.focus();
  }, [shown, data]);

  // Sorting is kept: it hides nothing. Focus goes to the search box, as the button goes away.
  function clear() {
    update({ q: "", direction: undefined, state: undefined, bucket: undefined });
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
        <p aria-live="polite" className="text-slate-700" data-testid="copy-count" ref={countLine} tabIndex={-1}>
          {shown.length} of {data.length} {data.length === 1 ? "copy" : "copies"}
          {notice && <span data-testid="list-notice"> · {notice}</span>}
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
            <tbody
              onClickCapture={(event) => {
                const id = (event.target as HTMLElement).closest<HTMLElement>("[data-row-action]")?.dataset.rowAction;
                if (id) acted.current = { id, at: Date.now() };
                setNotice("");
              }}
            >
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
