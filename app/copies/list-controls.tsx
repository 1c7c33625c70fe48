"use client";

import { useId, type RefObject } from "react";
import {
  LIST_STATES,
  SORT_KEYS,
  type ListQuery,
  type ListState,
  type SortKey,
} from "@/lib/replication/filter-statuses";

export const STATE_WORDS: Record<ListState, string> = {
  running: "Running",
  succeeded: "Succeeded",
  "completed-with-errors": "Completed with errors",
  failed: "Failed",
  stopped: "Stopped",
  interrupted: "Interrupted",
  "never-run": "Never run",
};

export const SORT_WORDS: Record<SortKey, string> = {
  directory: "Local directory",
  bucket: "Bucket / folder",
  endpoint: "Endpoint",
  state: "State",
  "last-run": "Last run",
  "last-success": "Last success",
};

const CONTROL = "min-w-0 rounded border border-slate-300 bg-white px-2 py-2 text-sm";

/**
 * The search box and the filters over the list. The search text is the caller's own state, so
 * that typing is never slowed or undone by the list's polling or the URL's update.
 */
export function ListControls({
  searchBox,
  query,
  search,
  buckets,
  onSearch,
  onChange,
}: {
  searchBox: RefObject<HTMLInputElement | null>;
  query: ListQuery;
  search: string;
  buckets: string[];
  onSearch: (text: string) => void;
  onChange: (change: Partial<ListQuery>) => void;
}) {
  const id = useId();
  // A bucket named in a link but no longer used stays a choice, so that the select shows it.
  const bucketChoices = query.bucket && !buckets.includes(query.bucket) ? [...buckets, query.bucket] : buckets;
  return (
    <div role="search" className="mb-3 flex flex-wrap items-end gap-3">
      <div className="flex min-w-0 grow basis-64 flex-col gap-1">
        <label htmlFor={`${id}-q`} className="text-sm font-medium">
          Search
        </label>
        <input
          ref={searchBox}
          id={`${id}-q`}
          type="search"
          value={search}
          onChange={(event) => onSearch(event.target.value)}
          placeholder="Directory, bucket, folder, endpoint or id"
          autoComplete="off"
          className={CONTROL}
        />
      </div>
      <Select
        id={`${id}-direction`}
        label="Direction"
        value={query.direction ?? ""}
        onChange={(value) => onChange({ direction: (value || undefined) as ListQuery["direction"] })}
        options={[
          ["", "All directions"],
          ["to-s3", "Local ⇨ Remote"],
          ["from-s3", "Local ⇦ Remote"],
        ]}
      />
      <Select
        id={`${id}-state`}
        label="State"
        value={query.state ?? ""}
        onChange={(value) => onChange({ state: (value || undefined) as ListState | undefined })}
        options={[["", "All states"], ...LIST_STATES.map((state): [string, string] => [state, STATE_WORDS[state]])]}
      />
      <Select
        id={`${id}-bucket`}
        label="Bucket"
        value={query.bucket ?? ""}
        onChange={(value) => onChange({ bucket: value || undefined })}
        options={[["", "All buckets"], ...bucketChoices.map((bucket): [string, string] => [bucket, bucket])]}
      />
      {/* A phone shows the list as cards, without the header row to sort by. */}
      <div className="sm:hidden">
        <Select
          id={`${id}-sort`}
          label="Sort by"
          value={query.sort ? `${query.sort}:${query.order}` : ""}
          onChange={(value) => {
            const [sort, order] = value.split(":") as [SortKey | "", "asc" | "desc" | undefined];
            onChange({ sort: sort || undefined, order: order ?? "asc" });
          }}
          options={[
            ["", "When created"],
            ...SORT_KEYS.flatMap((key): Array<[string, string]> => [
              [`${key}:asc`, `${SORT_WORDS[key]}, ascending`],
              [`${key}:desc`, `${SORT_WORDS[key]}, descending`],
            ]),
          ]}
        />
      </div>
    </div>
  );
}

function Select({
  id,
  label,
  value,
  onChange,
  options,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<[string, string]>;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={`${CONTROL} max-w-64`}
      >
        {options.map(([optionValue, words]) => (
          <option key={optionValue} value={optionValue}>
            {words}
          </option>
        ))}
      </select>
    </div>
  );
}
