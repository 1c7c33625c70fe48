import { describe, expect, it } from "vitest";
import {
  bucketsOf,
  EMPTY_QUERY,
  endpointOf,
  filterStatuses,
  isFiltered,
  listQueryString,
  listStateOf,
  parseListQuery,
  type ListQuery,
} from "@/lib/replication/filter-statuses";

type Outcome = "SUCCEEDED" | "FAILED" | "COMPLETED_WITH_ERRORS" | "ABORTED" | "INTERRUPTED";

function copy(
  id: string,
  fields: {
    path: string;
    bucket?: string;
    folder?: string;
    address?: string;
    port?: number;
    direction?: "COPY_TO_OBJECT" | "COPY_FROM_OBJECT";
    running?: boolean;
    outcome?: Outcome;
    ended?: string;
    success?: string;
  },
) {
  return {
    id,
    direction: fields.direction ?? "COPY_TO_OBJECT",
    local_directory_path: fields.path,
    bucket: fields.bucket ?? "archive",
    object_folder: fields.folder ?? "",
    object_store_address: fields.address ?? "https://s3.example.com",
    port: fields.port ?? 443,
    state: fields.running ? "REPLICATION_RUNNING" : "REPLICATION_NOT_RUNNING",
    last_job: fields.outcome ? ({ outcome: fields.outcome, end_time: fields.ended ?? "" } as never) : (null as never),
    last_success_time: fields.success ?? "",
  };
}

const COPIES = [
  copy("id-1", {
    path: "/projects/Alpha",
    outcome: "SUCCEEDED",
    ended: "2026-11-30T03:00:00.000Z",
    success: "2026-11-30T03:00:00.000Z",
  }),
  copy("id-2", {
    path: "/projects/beta",
    bucket: "media",
    folder: "Photos/",
    running: true,
    outcome: "FAILED",
    ended: "2026-11-30T01:00:00.000Z",
  }),
  copy("id-3", {
    path: "/restore",
    direction: "COPY_FROM_OBJECT",
    address: "http://127.0.0.1",
    port: 9000,
    outcome: "COMPLETED_WITH_ERRORS",
    ended: "2026-11-30T02:00:00.000Z",
    success: "2026-11-29T02:00:00.000Z",
  }),
  copy("id-4", { path: "/scratch", bucket: "media" }),
  copy("id-5", { path: "/projects/gamma", outcome: "ABORTED", ended: "2026-11-30T04:00:00.000Z" }),
  copy("id-6", { path: "/projects/delta", outcome: "INTERRUPTED", ended: "2026-11-30T00:30:00.000Z" }),
];

const ids = (query: Partial<ListQuery>) => filterStatuses(COPIES, { ...EMPTY_QUERY, ...query }).map((s) => s.id);

describe("the copies list's search", () => {
  it("matches the directory, bucket, folder, endpoint and id, whatever the case", () => {
    expect(ids({ q: "ALPHA" })).toEqual(["id-1"]);
    expect(ids({ q: "photos" })).toEqual(["id-2"]);
    expect(ids({ q: "media/photos/" })).toEqual(["id-2"]);
    expect(ids({ q: "media" })).toEqual(["id-2", "id-4"]);
    expect(ids({ q: "http://127.0.0.1:9000" })).toEqual(["id-3"]);
    expect(ids({ q: "s3.example.com:443" })).toEqual(["id-1", "id-2", "id-4", "id-5", "id-6"]);
    expect(ids({ q: "ID-5" })).toEqual(["id-5"]);
    expect(ids({ q: "  beta  " })).toEqual(["id-2"]);
    expect(ids({ q: "nothing like it" })).toEqual([]);
  });
});

describe("the copies list's filters", () => {
  it("keeps one direction", () => {
    expect(ids({ direction: "from-s3" })).toEqual(["id-3"]);
    expect(ids({ direction: "to-s3" })).toEqual(["id-1", "id-2", "id-4", "id-5", "id-6"]);
  });

  it("keeps one state: running wins over the last outcome, and a copy with no job was never run", () => {
    expect(ids({ state: "running" })).toEqual(["id-2"]);
    expect(ids({ state: "failed" })).toEqual([]);
    expect(ids({ state: "succeeded" })).toEqual(["id-1"]);
    expect(ids({ state: "completed-with-errors" })).toEqual(["id-3"]);
    expect(ids({ state: "stopped" })).toEqual(["id-5"]);
    expect(ids({ state: "interrupted" })).toEqual(["id-6"]);
    expect(ids({ state: "never-run" })).toEqual(["id-4"]);
    expect(listStateOf(copy("x", { path: "/x", outcome: "FAILED" }))).toBe("failed");
  });

  it("keeps one bucket, and offers each bucket once", () => {
    expect(ids({ bucket: "media" })).toEqual(["id-2", "id-4"]);
    expect(ids({ bucket: "media", q: "scratch" })).toEqual(["id-4"]);
    expect(bucketsOf(COPIES)).toEqual(["archive", "media"]);
  });
});

describe("the copies list's sorting", () => {
  it("keeps the server's order until a column is chosen", () => {
    expect(ids({})).toEqual(["id-1", "id-2", "id-3", "id-4", "id-5", "id-6"]);
  });

  it("sorts by directory either way, case aside", () => {
    expect(ids({ sort: "directory" })).toEqual(["id-1", "id-2", "id-6", "id-5", "id-3", "id-4"]);
    expect(ids({ sort: "directory", order: "desc" })).toEqual(["id-4", "id-3", "id-5", "id-6", "id-2", "id-1"]);
  });

  it("sorts by bucket and folder, ties by directory", () => {
    expect(ids({ sort: "bucket" })).toEqual(["id-1", "id-6", "id-5", "id-3", "id-4", "id-2"]);
  });

  it("sorts by state: running, then what needs a look, then the rest", () => {
    expect(ids({ sort: "state" })).toEqual(["id-2", "id-3", "id-6", "id-5", "id-1", "id-4"]);
  });

  it("sorts by last run and last success, a copy without one last in either order", () => {
    expect(ids({ sort: "last-run" })).toEqual(["id-6", "id-2", "id-3", "id-1", "id-5", "id-4"]);
    expect(ids({ sort: "last-run", order: "desc" })).toEqual(["id-5", "id-1", "id-3", "id-2", "id-6", "id-4"]);
    expect(ids({ sort: "last-success" })).toEqual(["id-3", "id-1", "id-2", "id-6", "id-5", "id-4"]);
    expect(ids({ sort: "last-success", order: "desc" })).toEqual(["id-1", "id-3", "id-2", "id-6", "id-5", "id-4"]);
  });
});

describe("the copies list's URL", () => {
  it("round-trips a view, leaving out the defaults", () => {
    const query: ListQuery = {
      q: "a b&c",
      direction: "from-s3",
      state: "never-run",
      bucket: "media",
      sort: "last-run",
      order: "desc",
    };
    const text = listQueryString(query);
    expect(text).toBe("?q=a+b%26c&direction=from-s3&state=never-run&bucket=media&sort=last-run&order=desc");
    expect(parseListQuery(new URLSearchParams(text))).toEqual(query);
    expect(listQueryString(EMPTY_QUERY)).toBe("");
    expect(listQueryString({ ...EMPTY_QUERY, sort: "state" })).toBe("?sort=state");
  });

  it("reads a value it does not know as no filter", () => {
    const query = parseListQuery(new URLSearchParams("direction=sideways&state=asleep&sort=colour&order=up&bucket="));
    expect(query).toEqual(EMPTY_QUERY);
    expect(isFiltered(query)).toBe(false);
    expect(isFiltered({ ...EMPTY_QUERY, q: " x " })).toBe(true);
    expect(isFiltered({ ...EMPTY_QUERY, sort: "state" })).toBe(false);
  });
});

describe("a copy's endpoint", () => {
  it("names the scheme, host and port the copy uses", () => {
    expect(endpointOf({ object_store_address: "s3.example.com", port: 443 })).toBe("https://s3.example.com:443");
    expect(endpointOf({ object_store_address: "HTTP://127.0.0.1/", port: 9000 })).toBe("http://127.0.0.1:9000");
    expect(endpointOf({ object_store_address: "https://[::1]", port: 8443 })).toBe("https://[::1]:8443");
  });
});
