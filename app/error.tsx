"use client";

import { useEffect } from "react";
import { ProblemNotice } from "@/components/problem-notice";

// The server's details stay in its log: a page shows only the reference that finds them there.
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error ? String(error.digest) : undefined;
  useEffect(() => {
    document.title = "Something went wrong · S3 Shift";
  }, []);
  return (
    <ProblemNotice
      code="Error"
      title="This page could not be shown"
      actions={
        <button
          type="button"
          onClick={() => retry()}
          className="rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-100"
        >
          Try again
        </button>
      }
    >
      <p>
        The server met an unexpected error while preparing it. Trying again may work; if it keeps happening, the web
        server&apos;s log has the details{digest ? "" : "."}
        {digest && (
          <>
            {" "}
            under the reference <code className="font-mono">{digest}</code>.
          </>
        )}
      </p>
    </ProblemNotice>
  );
}
