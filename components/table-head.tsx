"use client";

import { useEffect, useRef } from "react";

/**
 * The header row every console table uses. On a phone the table is shown as cards (see
 * globals.css), where the header is out of sight: each cell then carries its column's name in
 * data-label, copied here from the header, also into rows that arrive later (a polled list).
 */
export function TableHead({ columns }: { columns: string[] }) {
  const head = useRef<HTMLTableSectionElement>(null);
  const names = columns.join("\u0000");

  useEffect(() => {
    const table = head.current?.closest("table");
    if (!table) return;
    const labels = names.split("\u0000");
    const label = () => {
      for (const row of table.querySelectorAll(":scope > tbody > tr")) {
        Array.from(row.children).forEach((cell, index) => {
          const name = labels[index] ?? "";
          if (cell.getAttribute("data-label") !== name) cell.setAttribute("data-label", name);
        });
      }
    };
    label();
    const observer = new MutationObserver(label);
    observer.observe(table, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [names]);

  return (
    <thead ref={head}>
      <tr className="border-b border-slate-300 text-slate-600">
        {columns.map((column) => (
          <th key={column} className="py-2 pr-4 font-medium">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}
