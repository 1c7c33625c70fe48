import { describe, expect, it } from "vitest";
import { auditCsv, auditDetailPairs, auditTargetHref } from "@/lib/auth/audit-view";

describe("the audit trail as people read it", () => {
  it("links a copy's events to the copy, and a user's to what that user did", () => {
    const id = "3f2c0a9e-1b2c-4d5e-8f90-123456789abc";
    expect(auditTargetHref("relationship.create", id)).toBe(`/copies/${id}`);
    expect(auditTargetHref("user.role", "ann o'neil")).toBe("/admin/audit?actor=ann%20o'neil");
    expect(auditTargetHref("session.sign-in-failed", "x")).toBe("/admin/audit?actor=x");
    expect(auditTargetHref("access.refused", "POST /v3/replication/object-relationships/")).toBeUndefined();
    expect(auditTargetHref("relationship.create", "../admin")).toBeUndefined();
  });

  it("shows a detail's fields in words, and anything else as it is", () => {
    expect(auditDetailPairs('{"local_directory_path":"/a/","changed":["access_key_id","secret_access_key"]}')).toEqual([
      ["local directory path", "/a/"],
      ["changed", "access_key_id, secret_access_key"],
    ]);
    expect(auditDetailPairs("")).toEqual([]);
    expect(auditDetailPairs("not json")).toEqual([["detail", "not json"]]);
  });

  it("writes CSV with every cell quoted, and never lets a cell be taken for a formula", () => {
    const csv = auditCsv([
      {
        at: "2026-11-30T05:00:00.000Z",
        actor: '=HYPERLINK("http://x")',
        action: "user.create",
        target: "a;=cmd|' /C calc'!A0",
        detail: '{"k":"v"}',
      },
      { at: "2026-11-30T05:00:01.000Z", actor: "-2+3", action: "session.sign-in", target: "line\nbreak", detail: "" },
    ]);
    // Quoted, a ";" cannot start a cell where the list separator is ";" (German, French Excel).
    expect(csv.split("\r\n")).toEqual([
      '"time (UTC)","actor","action","target","detail"',
      '"2026-11-30T05:00:00.000Z","\'=HYPERLINK(""http://x"")","user.create","a;=cmd|\' /C calc\'!A0","{""k"":""v""}"',
      '"2026-11-30T05:00:01.000Z","\'-2+3","session.sign-in","line\nbreak",""',
      "",
    ]);
  });
});
