"use client";

import { useLayoutEffect, useRef, useState, type ReactNode } from "react";

/**
 * Text that may be very long (a 1,024-byte path in an error): a few lines at most, wrapping
 * anywhere, with a button that shows it all. The full text is also the element's title.
 */
export function ClampedText({
  text,
  lines = 3,
  className = "",
  children,
}: {
  text: string;
  lines?: 2 | 3 | 4;
  className?: string;
  /** What to show in place of the bare text, such as a link holding it. */
  children?: ReactNode;
}) {
  const box = useRef<HTMLSpanElement>(null);
  const [open, setOpen] = useState(false);
  const [overflows, setOverflows] = useState(false);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element || open) return;
    const measure = () => setOverflows(element.scrollHeight > element.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [text, open]);

  const clamp = { 2: "line-clamp-2", 3: "line-clamp-3", 4: "line-clamp-4" }[lines];
  return (
    <span className={`block ${className}`}>
      <span ref={box} title={text} className={`break-all ${open ? "block" : clamp}`}>
        {children ?? text}
      </span>
      {(overflows || open) && (
        <button
          type="button"
          className="mt-0.5 text-xs text-blue-800 underline"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? "Show less" : "Show all"}
        </button>
      )}
    </span>
  );
}
