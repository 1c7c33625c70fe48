"use client";

import { useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";

/**
 * Text that may be very long (a 1,024-byte path in an error): a few lines at most, wrapping
 * anywhere, with a button that shows it all. The full text is also the element's title.
 */
export function ClampedText({
  text,
  lines = 3,
  className = "",
  label,
  children,
}: {
  text: string;
  /** What the text is ("path", "error"): the button's name says it, as a page may hold many. */
  label?: string;
  lines?: 2 | 3 | 4;
  className?: string;
  /** What to show in place of the bare text, such as a link holding it. */
  children?: ReactNode;
}) {
  const box = useRef<HTMLSpanElement>(null);
  const [open, setOpen] = useState(false);
  const [overflows, setOverflows] = useState(false);
  const id = useId();

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
      <span ref={box} id={id} title={text} className={`break-all ${open ? "block" : clamp}`}>
        {children ?? text}
      </span>
      {(overflows || open) && (
        <button
          type="button"
          className="mt-0.5 text-xs text-blue-800 underline"
          aria-expanded={open}
          aria-controls={id}
          aria-label={label ? `${open ? "Show less" : "Show all"} of the ${label}` : undefined}
          onClick={() => setOpen(!open)}
        >
          {open ? "Show less" : "Show all"}
        </button>
      )}
    </span>
  );
}
