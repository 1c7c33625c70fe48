import { z } from "zod";
import { finishedState } from "@/lib/format";
import { endpointUrl } from "@/lib/s3/endpoint-address";
import type { RelationshipStatus } from "./views";

/**
 * Search, filters and sorting of the copies list. They run in the browser over the polled list
 * (a few hundred copies at most), and live in the URL's query string so that a link or a reload
 * shows the same view: whatever a URL says is parsed here, and a value this version does not
 * know reads as "no filter" rather than as an error.
 */

type Status = Pick<
  RelationshipStatus,
  | "id"
  | "direction"
  | "local_directory_path"
  | "bucket"
  | "object_folder"
  | "object_store_address"
  | "port"
  | "state"
  | "last_job"
  | "last_success_time"
>;

export const LIST_STATES = [
  "running",
  "succeeded",
  "completed-with-errors",
  "failed",
  "stopped",
  "interrupted",
  "never-run",
] as const;
export type ListState = (typeof LIST_STATES)[number];

export const DIRECTIONS = { "to-s3": "COPY_TO_OBJECT", "from-s3": "COPY_FROM_OBJECT" } as const;
export type DirectionFilter = keyof typeof DIRECTIONS;

export const SORT_KEYS = ["directory", "bucket", "endpoint", "state", "last-run", "last-success"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = "asc" | "desc";

const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const listQuerySchema = z.object({
  q: z.string().max(500).catch(""),
  direction: optional(z.enum(["to-s3", "from-s3"])),
  state: optional(z.enum(LIST_STATES)),
  bucket: optional(z.string().min(1).max(255)),
  sort: optional(z.enum(SORT_KEYS)),
  order: z.enum(["asc", "desc"]).catch("asc"),
});

export type ListQuery = z.output<typeof listQuerySchema>;
export const EMPTY_QUERY: ListQuery = listQuerySchema.parse({});

/** The list's view from a URL's query string (`URLSearchParams` or what `useSearchParams` gives). */
export function parseListQuery(params: { get(name: string): string | null }): ListQuery {
  const raw: Record<string, string> = {};
  for (const name of ["q", "direction", "state", "bucket", "sort", "order"]) {
    const value = params.get(name);
    if (value !== null) raw[name] = value;
  }
  return listQuerySchema.parse(raw);
}

/** The query string for a view, leaving out what is the default: "" for the plain list. */
export function listQueryString(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.direction) params.set("direction", query.direction);
  if (query.state) params.set("state", query.state);
  if (query.bucket) params.set("bucket", query.bucket);
  if (query.sort) {
    params.set("sort", query.sort);
    if (query.order === "desc") params.set("order", "desc");
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Whether the view hides any copy (sorting hides none). */
export function isFiltered(query: ListQuery): boolean {
  return Boolean(query.q.trim() || query.direction || query.state || query.bucket);
}

/** Where the copy sends its requests, as it uses it: `https://s3.example.com:443`. */
export function endpointOf(status: Pick<Status, "object_store_address" | "port">): string {
  return endpointUrl({ objectStoreAddress: status.object_store_address, port: status.port });
}

const OUTCOME_STATES: Record<string, ListState> = {
  SUCCEEDED: "succeeded",
  COMPLETED_WITH_ERRORS: "completed-with-errors",
  FAILED: "failed",
  ABORTED: "stopped",
  INTERRUPTED: "interrupted",
};

/** What the state filter sees: running (queued included), else the last job's outcome, or never run. */
export function listStateOf(status: Pick<Status, "state" | "last_job">): ListState | undefined {
  if (status.state === "REPLICATION_RUNNING") return "running";
  if (!status.last_job) return "never-run";
  return OUTCOME_STATES[finishedState(status.last_job)];
}

/** When the last job ended, "" when none has. */
export function lastRunTime(status: Pick<Status, "last_job">): string {
  return status.last_job?.end_time ?? "";
}

/** The buckets the copies use, each once, in order: the bucket filter's choices. */
export function bucketsOf(statuses: ReadonlyArray<Pick<Status, "bucket">>): string[] {
  return [...new Set(statuses.map((status) => status.bucket))].sort(compareText);
}

function matchesSearch(status: Status, words: string): boolean {
  if (!words) return true;
  const haystack = [
    status.local_directory_path,
    status.bucket,
    status.object_folder,
    `${status.bucket}/${status.object_folder}`,
    endpointOf(status),
    status.id,
  ];
  return haystack.some((text) => text.toLowerCase().includes(words));
}

// Running first, then what needs a look (failed, with errors, interrupted), then the rest.
const STATE_RANK: Record<ListState, number> = {
  running: 0,
  failed: 1,
  "completed-with-errors": 2,
  interrupted: 3,
  stopped: 4,
  succeeded: 5,
  "never-run": 6,
};

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
function compareText(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Each key's value; undefined sorts last whichever the order (a copy never run has no last run). */
const SORT_VALUES: Record<SortKey, (status: Status) => string | number | undefined> = {
  directory: (status) => status.local_directory_path,
  bucket: (status) => `${status.bucket}/${status.object_folder}`,
  endpoint: (status) => endpointOf(status),
  state: (status) => STATE_RANK[listStateOf(status) ?? "never-run"],
  "last-run": (status) => lastRunTime(status) || undefined,
  "last-success": (status) => status.last_success_time || undefined,
};

function compareValues(a: string | number, b: string | number): number {
  return typeof a === "number" && typeof b === "number" ? a - b : compareText(String(a), String(b));
}

/**
 * The copies the view shows, in its order. Ties keep a fixed order (directory, then id), so a
 * row does not jump between two polls of the same list.
 */
export function filterStatuses<S extends Status>(statuses: readonly S[], query: ListQuery): S[] {
  const words = query.q.trim().toLowerCase();
  const direction = query.direction ? DIRECTIONS[query.direction] : undefined;
  const shown = statuses.filter(
    (status) =>
      (!direction || status.direction === direction) &&
      (!query.state || listStateOf(status) === query.state) &&
      (!query.bucket || status.bucket === query.bucket) &&
      matchesSearch(status, words),
  );
  if (!query.sort) return shown;
  const valueOf = SORT_VALUES[query.sort];
  const sign = query.order === "desc" ? -1 : 1;
  return shown
    .map((status) => ({ status, value: valueOf(status) }))
    .sort((a, b) => {
      if (a.value === undefined || b.value === undefined) {
        if (a.value !== b.value) return a.value === undefined ? 1 : -1;
      } else {
        const order = compareValues(a.value, b.value);
        if (order) return sign * order;
      }
      return (
        compareText(a.status.local_directory_path, b.status.local_directory_path) ||
        compareText(a.status.id, b.status.id)
      );
    })
    .map(({ status }) => status);
}
