import Link from "next/link";
import type { ReactNode } from "react";

/** The body of the not-found and error pages: what happened, and links back into the console. */
export function ProblemNotice({
  code,
  title,
  children,
  actions,
}: {
  code: string;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <main className="mx-auto max-w-2xl px-4 py-12 sm:px-6 sm:py-16">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <p className="text-sm font-medium text-slate-600">{code}</p>
        <h1 className="mt-1 mb-3 text-2xl font-semibold">{title}</h1>
        <div className="text-sm">{children}</div>
        <div className="mt-6 flex flex-wrap gap-3">
          <Link
            href="/copies"
            className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800"
          >
            Back to Copy to/from S3
          </Link>
          {actions}
        </div>
      </div>
    </main>
  );
}
