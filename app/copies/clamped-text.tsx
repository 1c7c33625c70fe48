"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";

const CLAMP = { 2: "line-clamp-2", 3: "line-clamp-3" } as const;

/**
 * A long path or message cut to two or three lines. The whole text is in the title (a pointer's
 * hover) and behind a "Show all" button (a keyboard, a phone), which appears only when the
 * text is cut at the width the page has now.
 */
export function ClampedText({
  text,
  lines = 2,
  className = "",
  children,
}: {
  text: string;
  lines?: keyof typeof CLAMP;
  className?: string;
  /** What to show in place of the bare text, such as a link holding it. */
  children?: ReactNode;
}) {
  const box = useRef<HTMLSpanElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [cut, setCut] = useState(false);

  useEffect(() => {
    const element = box.current;
    if (!element || expanded) return;
    const measure = () => setCut(element.scrollHeight > element.clientHeight + 1);
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [expanded, text]);

  return (
    <span className="flex flex-col items-start gap-0.5">
      <span ref={box} title={text} className={`${expanded ? "" : CLAMP[lines]} ${className}`}>
        {children ?? text}
      </span>
      {(cut || expanded) && (
        <button
          type="button"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
          className="text-xs text-blue-800 underline hover:text-blue-900"
        >
          {expanded ? "Show less" : "Show all"}
        </button>
      )}
    </span>
  );
}
