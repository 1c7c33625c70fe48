"use client";

import { useId, useState } from "react";
import { ClampedText } from "@/components/clamped-text";
import { TableHead } from "@/components/table-head";
import type { LogEntry, LogLevel } from "@/lib/replication/replication-log";

const FILTERS: Array<{ value: string; label: string; levels: ReadonlySet<LogLevel> }> = [
  { value: "all", label: "All levels", levels: new Set(["info", "warn", "error"]) },
  { value: "warn", label: "Warnings and errors", levels: new Set(["warn", "error"]) },
  { value: "error", label: "Errors only", levels: new Set(["error"]) },
];

const LEVEL_STYLE: Record<LogLevel, string> = {
  info: "bg-slate-100 text-slate-700",
  warn: "bg-amber-100 text-amber-900",
  error: "bg-red-100 text-red-800",
};

const LEVEL_WORD: Record<LogLevel, string> = { info: "Info", warn: "Warning", error: "Error" };

/** The replication log as a table a person reads, newest last, with a level filter and the whole log as a download. */
export function ReplicationLog({ entries, downloadHref }: { entries: LogEntry[]; downloadHref: string }) {
  const [filter, setFilter] = useState("all");
  const selectId = useId();
  const levels = FILTERS.find((f) => f.value === filter)!.levels;
  const shown = entries.filter((entry) => levels.has(entry.level));
  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        <label htmlFor={selectId} className="text-slate-700">
          Show
        </label>
        <select
          id={selectId}
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          className="rounded border border-slate-300 bg-white px-2 py-1"
        >
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <span className="text-slate-600" aria-live="polite">
          {shown.length} of the last {entries.length} lines
        </span>
        <a href={downloadHref} download className="ml-auto text-blue-700 underline hover:text-blue-900">
          Download the whole log
        </a>
      </div>
      {shown.length === 0 ? (
        <p className="text-sm text-slate-600">
          {entries.length === 0 ? "Nothing logged yet." : "No line at this level."}
        </p>
      ) : (
        <div className="max-h-96 overflow-auto" tabIndex={0} aria-label="Replication log lines" role="region">
          {/* A phone gets each line as a small card: five columns do not fit 390 px. */}
          <ol className="space-y-2 sm:hidden">
            {shown.map((entry, index) => (
              <li key={index} data-testid="log-card" className="border-b border-slate-100 pb-2 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${LEVEL_STYLE[entry.level]}`}>
                    {LEVEL_WORD[entry.level]}
                  </span>
                  <span className="font-medium">{entry.event}</span>
                  <span className="font-mono text-xs text-slate-600" title={entry.time}>
                    {logTime(entry.time)}
                  </span>
                </div>
                {entry.path && <div className="mt-1 font-mono text-xs break-all">{entry.path}</div>}
                <ClampedText text={entry.message} label="message" className="mt-1" />
              </li>
            ))}
          </ol>
          <table className="hidden w-full text-left text-sm sm:table">
            <TableHead columns={["Time", "Level", "Event", "Path", "Message"]} />
            <tbody>
              {shown.map((entry, index) => (
                <tr key={index} data-testid="log-row" className="border-b border-slate-100 align-top">
                  <td className="whitespace-nowrap py-1 pr-4 font-mono text-xs" title={entry.time}>
                    {logTime(entry.time)}
                  </td>
                  <td className="py-1 pr-4">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${LEVEL_STYLE[entry.level]}`}>
                      {LEVEL_WORD[entry.level]}
                    </span>
                  </td>
                  <td className="whitespace-nowrap py-1 pr-4">{entry.event}</td>
                  <td className="max-w-xs py-1 pr-4 font-mono text-xs break-all">{entry.path ?? ""}</td>
                  <td className="max-w-md py-1 pr-4">
                    <ClampedText text={entry.message} label="message" className="min-w-48" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The same text on the server and in the browser (a locale's format would differ between them). */
function logTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
}
