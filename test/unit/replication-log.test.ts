import { describe, expect, it } from "vitest";
import { parseLogLine } from "@/lib/replication/replication-log";

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ time: "2026-11-30T04:00:00.000Z", level: "warn", job: "j1", ...fields });

describe("a replication log line, as a person reads it", () => {
  it("says what each event means, with its path apart", () => {
    expect(parseLogLine(line({ event: "file-skipped", path: "a/link", reason: "symlink" }))).toEqual({
      time: "2026-11-30T04:00:00.000Z",
      level: "warn",
      job: "j1",
      event: "file-skipped",
      path: "a/link",
      message: "Skipped: symbolic link.",
    });
    expect(
      parseLogLine(line({ level: "error", event: "file-failed", path: "b", message: "EACCES: cannot open the file" }))
        .message,
    ).toBe("EACCES: cannot open the file");
    expect(parseLogLine(line({ level: "info", event: "totals", files: "4004", bytes: "104857600" })).message).toBe(
      "Counted 4004 files, 100.0 MiB.",
    );
    expect(parseLogLine(line({ level: "info", event: "totals", files: "1", bytes: "4" })).message).toBe(
      "Counted 1 file, 4 B.",
    );
    expect(
      parseLogLine(line({ level: "error", event: "job-end", outcome: "FAILED", error: "The store refused the key." }))
        .message,
    ).toBe("The job failed. The store refused the key.");
    expect(
      parseLogLine(
        line({
          level: "error",
          event: "job-end",
          outcome: "COMPLETED_WITH_ERRORS",
          error: "1 file could not be copied.",
        }),
      ).message,
    ).toBe("The job completed with errors. 1 file could not be copied.");
  });

  it("shows an event it does not know by its fields, and a line that is not JSON as it is", () => {
    expect(parseLogLine(line({ event: "something-new", count: 3 }))).toMatchObject({
      event: "something-new",
      message: '{"count":3}',
      path: null,
    });
    expect(parseLogLine('{"time":"2026-11-30T04:0')).toEqual({
      time: "",
      level: "warn",
      job: "",
      event: "unreadable line",
      path: null,
      message: '{"time":"2026-11-30T04:0',
    });
    expect(parseLogLine(line({ level: "shouting", event: "job-start" })).level).toBe("info");
  });
});
