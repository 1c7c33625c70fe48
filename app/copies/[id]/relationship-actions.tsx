"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { ModalDialog } from "@/components/modal-dialog";
import type { ActionResult } from "@/web/server-action";
import { deleteCopy, repeatCopy, stopCopy } from "./actions";

type Act = "stop" | "repeat" | "delete";

const BUTTON = "rounded border px-4 py-2 text-sm disabled:opacity-50 aria-disabled:opacity-70";

/**
 * Stop, Repeat and Delete. A pressed button says what it is doing at once ("Stopping…") and the
 * others wait, until the page shows the result: a stop holds "Stopping…" until the worker has
 * ended the job, which can take a moment after the server accepted it.
 */
export function RelationshipActions({ id, running }: { id: string; running: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<string>();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [acting, setActing] = useState<Act | null>(null);
  const [stopAccepted, setStopAccepted] = useState(false);
  const [, startRefresh] = useTransition();

  const stopping = acting === "stop" || (stopAccepted && running);
  const busy = acting !== null || stopping;

  async function act(kind: Act, action: (id: string) => Promise<ActionResult>): Promise<boolean> {
    if (busy) return false;
    setMessage(undefined);
    setActing(kind);
    if (kind === "repeat") setStopAccepted(false);
    const result = await action(id);
    if (!result.ok) {
      setActing(null);
      setMessage(result.message);
      return false;
    }
    if (kind === "delete") return true; // "Deleting…" stays until the list replaces this page
    if (kind === "stop") setStopAccepted(true);
    // Cleared in the refresh's transition: the pending words stay until the refreshed page is shown.
    startRefresh(() => {
      setActing(null);
      router.refresh();
    });
    return true;
  }

  async function remove() {
    if (await act("delete", deleteCopy)) {
      router.push("/copies");
    } else {
      setConfirmingDelete(false);
    }
  }

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          disabled={!running && !stopping}
          aria-disabled={busy || undefined}
          onClick={() => void act("stop", stopCopy)}
          className={`${BUTTON} border-slate-300 bg-white`}
        >
          {stopping ? "Stopping…" : "Stop"}
        </button>
        <button
          type="button"
          disabled={running && acting !== "repeat"}
          aria-disabled={busy || undefined}
          onClick={() => void act("repeat", repeatCopy)}
          className={`${BUTTON} border-slate-300 bg-white`}
        >
          {acting === "repeat" ? "Starting…" : "Repeat"}
        </button>
        <button
          type="button"
          aria-disabled={busy || undefined}
          onClick={() => !busy && setConfirmingDelete(true)}
          className={`${BUTTON} border-red-300 bg-white text-red-700`}
        >
          {acting === "delete" ? "Deleting…" : "Delete"}
        </button>
      </div>
      <p role="status" className="sr-only">
        {stopping ? "Stopping the job…" : acting === "repeat" ? "Starting a job…" : ""}
      </p>
      {message && (
        <p role="alert" className="text-sm text-red-700">
          {message}
        </p>
      )}
      <ModalDialog
        open={confirmingDelete}
        title="Delete this copy?"
        busy={acting === "delete"}
        onClose={() => setConfirmingDelete(false)}
      >
        <p className="text-sm">
          Its tracking state and job history are removed. Nothing in the bucket or in the local directory is deleted.
        </p>
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <button
            type="button"
            data-autofocus
            aria-disabled={acting === "delete" || undefined}
            onClick={() => acting !== "delete" && setConfirmingDelete(false)}
            className="rounded border border-slate-300 px-4 py-2 text-sm aria-disabled:opacity-60"
          >
            Cancel
          </button>
          <button
            type="button"
            aria-disabled={acting === "delete" || undefined}
            onClick={() => void remove()}
            className="rounded bg-red-700 px-4 py-2 text-sm font-medium text-white aria-disabled:opacity-60"
          >
            {acting === "delete" ? "Deleting…" : "Yes, Delete"}
          </button>
        </div>
      </ModalDialog>
    </div>
  );
}
