"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RelationshipStatus } from "@/lib/replication/views";
import type { ActionResult } from "@/web/server-action";
import { repeatCopy, stopCopy } from "./[id]/actions";

/**
 * Stop on a running copy, Repeat on one that is not: one button, so that focus stays on it as it
 * turns from one into the other. It says what it is doing at once ("Starting…"); a stop holds
 * "Stopping…" until the worker has ended the job, which can take a moment after the server
 * accepted it. While busy it is aria-disabled rather than disabled, which would drop the focus.
 */
export function RowActions({ status, describedBy }: { status: RelationshipStatus; describedBy: string }) {
  const queryClient = useQueryClient();
  const [acting, setActing] = useState<"stop" | "repeat" | null>(null);
  const [stoppedJob, setStoppedJob] = useState<string>();
  const [message, setMessage] = useState<string>();
  const running = status.state === "REPLICATION_RUNNING";
  const jobId = status.current_job?.job_id;
  const stopping = acting === "stop" || (running && jobId !== undefined && jobId === stoppedJob);
  const busy = acting !== null || stopping;

  async function act(kind: "stop" | "repeat", action: (id: string) => Promise<ActionResult>) {
    if (busy) return;
    setMessage(undefined);
    setActing(kind);
    const result = await action(status.id);
    if (!result.ok) {
      setActing(null);
      setMessage(result.message);
      return;
    }
    if (kind === "stop") setStoppedJob(jobId);
    // The pending words stay until the list shows what the action did.
    await queryClient.refetchQueries({ queryKey: ["statuses"] });
    setActing(null);
  }

  const label = acting === "repeat" ? "Starting…" : stopping ? "Stopping…" : running ? "Stop" : "Repeat";
  return (
    <div className="flex flex-col items-start gap-1">
      <button
        type="button"
        aria-disabled={busy || undefined}
        aria-describedby={describedBy}
        data-row-action={status.id}
        onClick={() => void (running ? act("stop", stopCopy) : act("repeat", repeatCopy))}
        className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm whitespace-nowrap aria-disabled:opacity-70"
      >
        {label}
      </button>
      {message && (
        <p role="alert" className="text-sm text-red-700">
          {message}
        </p>
      )}
    </div>
  );
}
