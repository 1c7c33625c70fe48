"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/web/server-action";
import { deleteCopy, repeatCopy, stopCopy } from "./actions";

export function RelationshipActions({ id, running }: { id: string; running: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<string>();
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  async function act(action: (id: string) => Promise<ActionResult>, after?: () => void) {
    setMessage(undefined);
    const result = await action(id);
    if (!result.ok) setMessage(result.message);
    else if (after) after();
    else router.refresh();
  }

  return (
    <div className="flex flex-col gap-2">
      <div className="flex gap-2">
        <button
          type="button"
          disabled={!running}
          onClick={() => act(stopCopy)}
          className="rounded border border-slate-300 bg-white px-4 py-2 text-sm disabled:opacity-50"
        >
          Stop
        </button>
        <button
          type="button"
          disabled={running}
          onClick={() => act(repeatCopy)}
          className="rounded border border-slate-300 bg-white px-4 py-2 text-sm disabled:opacity-50"
        >
          Repeat
        </button>
        <button
          type="button"
          onClick={() => setConfirmingDelete(true)}
          className="rounded border border-red-300 bg-white px-4 py-2 text-sm text-red-700"
        >
          Delete
        </button>
      </div>
      {message && (
        <p role="alert" className="text-sm text-red-700">
          {message}
        </p>
      )}
      {confirmingDelete && (
        <div className="fixed inset-0 flex items-center justify-center bg-slate-900/40">
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="delete-title"
            className="w-full max-w-md rounded-lg bg-white p-6 shadow-lg"
          >
            <h2 id="delete-title" className="mb-2 text-lg font-semibold">
              Delete this copy?
            </h2>
            <p className="text-sm">
              Its tracking state and job history are removed. Nothing in the bucket or in the local directory is
              deleted.
            </p>
            <div className="mt-6 flex justify-end gap-2">
              <button
                type="button"
                onClick={() => setConfirmingDelete(false)}
                className="rounded border border-slate-300 px-4 py-2 text-sm"
              >
                Cancel
              </button>
              <button
                type="button"
                onClick={() => {
                  setConfirmingDelete(false);
                  void act(deleteCopy, () => router.push("/copies"));
                }}
                className="rounded bg-red-700 px-4 py-2 text-sm font-medium text-white"
              >
                Yes, Delete
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
