import type { ReactNode } from "react";

/** A titled panel of a console page; its heading names it for screen readers. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  // An id must be one token: "Job history" as aria-labelledby would name two elements that do not exist.
  const headingId = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={headingId} className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={headingId} className="mb-3 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
