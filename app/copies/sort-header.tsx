"use client";

import type { SortKey, SortOrder } from "@/lib/replication/filter-statuses";

export interface Column {
  label: string;
  sort?: SortKey;
}

/**
 * The list's header row. A sortable column's name is a button (Enter or Space sorts by it, again
 * turns the order round), and the sorted column says so in aria-sort.
 */
export function SortHeader({
  columns,
  sort,
  order,
  onSort,
}: {
  columns: Column[];
  sort: SortKey | undefined;
  order: SortOrder;
  onSort: (key: SortKey) => void;
}) {
  return (
    <thead>
      <tr className="border-b border-slate-300 text-slate-600">
        {columns.map((column) => {
          const sorted = column.sort !== undefined && column.sort === sort;
          return (
            <th
              key={column.label}
              scope="col"
              aria-sort={sorted ? (order === "asc" ? "ascending" : "descending") : undefined}
              className="py-2 pr-4 font-medium"
            >
              {column.sort ? (
                <button
                  type="button"
                  onClick={() => onSort(column.sort!)}
                  className="inline-flex items-center gap-1 text-left font-medium hover:text-slate-900 hover:underline"
                >
                  {column.label}
                  <span aria-hidden="true" className={sorted ? "" : "text-slate-400"}>
                    {sorted ? (order === "asc" ? "▲" : "▼") : "↕"}
                  </span>
                </button>
              ) : (
                column.label
              )}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
