"use client";

import { useEffect, useState } from "react";
import { formatElapsed, formatTime } from "@/lib/format";

/** The time now, moving on every `everyMs`: the list's data can stay the same for hours while "4 s ago" must not. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** How long ago, in a list's few words: "12 s ago", "3 h 5 min ago", "4 days ago". */
export function timeAgo(rfc3339: string, now = Date.now()): string {
  const ms = Math.max(0, now - Date.parse(rfc3339));
  const days = Math.floor(ms / 86_400_000);
  if (days >= 2) return `${days} days ago`;
  // Whole seconds: a tenth of a second changing every poll is noise in a list.
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s ago`;
  return `${formatElapsed(rfc3339, now)} ago`;
}

/** An instant shown as how long ago, the exact time on hover and for a screen reader; `empty` when there is none. */
export function Moment({ time, empty }: { time: string; empty: string }) {
  const now = useNow(1000);
  if (!time) return <span className="text-slate-600">{empty}</span>;
  const exact = formatTime(time);
  return (
    <time dateTime={time} title={exact}>
      {timeAgo(time, now)}
      <span className="sr-only"> ({exact})</span>
    </time>
  );
}
