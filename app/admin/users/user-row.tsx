"use client";

import { useLayoutEffect, useRef, useState, type ReactNode } from "react";
import type { ActionResult } from "@/web/server-action";
import { assignRoleAction, resetPasswordAction, setDisabledAction } from "./actions";
import { beside, FieldError } from "@/components/field";

export interface User {
  id: string;
  username: string;
  role_id: string;
  disabled: boolean;
}
export interface Role {
  id: string;
  name: string;
}

/**
 * One user. Choosing a role only selects it: the change, which ends the user's sessions, is
 * applied after a confirmation (a keyboard user walking the options must not promote anyone).
 * Errors show in the row they concern.
 */
export function UserRow({ user, roles, onDone }: { user: User; roles: Role[]; onDone: (text: string) => void }) {
  const [role, setRole] = useState(user.role_id);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<{ where: "role" | "status" | "password"; message: string }>();
  const [busy, setBusy] = useState(false);
  const roleName = roles.find((r) => r.id === role)?.name ?? role;

  async function run(where: "role" | "status" | "password", action: Promise<ActionResult>, success: string) {
    setBusy(true);
    setError(undefined);
    const result = await action;
    setBusy(false);
    if (result.ok) onDone(success);
    else
      setError({
        where,
        message: where === "password" && result.field ? beside("New password", result.field.message) : result.message,
      });
    return result.ok;
  }

  const fieldId = (where: string) => `${where}-${user.id}`;
  const errorId = (where: string) => `${fieldId(where)}-error`;
  const errorAt = (where: "role" | "status" | "password") => (error?.where === where ? error.message : undefined);

  return (
    <tr className="border-b border-slate-100 align-top" data-testid={`user-${user.username}`}>
      <td className="py-2 pr-4 font-mono">{user.username}</td>
      <td className="py-2 pr-4">
        <div className="flex flex-wrap items-center gap-2">
          <select
            aria-label={`Role of ${user.username}`}
            aria-describedby={errorAt("role") ? errorId("role") : undefined}
            value={role}
            onChange={(e) => setRole(e.target.value)}
            className="rounded border border-slate-300 px-2 py-1"
          >
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
          {role !== user.role_id && (
            <>
              <button
                type="button"
                onClick={() => setConfirming(true)}
                className="rounded bg-blue-700 px-2 py-1 text-white hover:bg-blue-800"
              >
                Change role
              </button>
              <button
                type="button"
                onClick={() => setRole(user.role_id)}
                className="rounded border border-slate-300 px-2 py-1"
              >
                Keep {roles.find((r) => r.id === user.role_id)?.name ?? user.role_id}
              </button>
            </>
          )}
        </div>
        <FieldError id={fieldId("role")} message={errorAt("role")} announce />
        {confirming && (
          <ConfirmDialog
            title={`Change the role of ${user.username} to ${roleName}?`}
            confirm="Yes, Change Role"
            busy={busy}
            onCancel={() => setConfirming(false)}
            onConfirm={async () => {
              await run(
                "role",
                assignRoleAction({ userId: user.id, roleId: role }),
                `${user.username} now has the role ${roleName}; their sessions have ended, and they sign in again to use it.`,
              );
              setConfirming(false);
            }}
          >
            Their sessions and bearer tokens end at once; they sign in again to work with the new role.
          </ConfirmDialog>
        )}
      </td>
      <td className="py-2 pr-4">
        <div className="flex flex-wrap items-center gap-2">
          {user.disabled ? "Disabled" : "Active"}
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(
                "status",
                setDisabledAction({ userId: user.id, disabled: !user.disabled }),
                `${user.username} is now ${user.disabled ? "enabled" : "disabled"}.`,
              )
            }
            className="rounded border border-slate-300 px-2 py-1"
          >
            {user.disabled ? `Enable ${user.username}` : `Disable ${user.username}`}
          </button>
        </div>
        <FieldError id={fieldId("status")} message={errorAt("status")} announce />
      </td>
      <td className="py-2">
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const password = String(new FormData(form).get("password") ?? "");
            void run(
              "password",
              resetPasswordAction({ userId: user.id, password }),
              `The password of ${user.username} was reset.`,
            ).then((ok) => {
              if (ok) form.reset();
              else (form.elements.namedItem("password") as HTMLInputElement | null)?.focus();
            });
          }}
        >
          <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
            <span>New password</span>
            <span className="sr-only"> for {user.username}</span>
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              aria-invalid={errorAt("password") ? true : undefined}
              aria-describedby={errorAt("password") ? errorId("password") : undefined}
              className="w-44 rounded border border-slate-300 px-2 py-1 text-sm font-normal text-slate-900"
            />
          </label>
          <button type="submit" disabled={busy} className="rounded border border-slate-300 px-2 py-1">
            Reset
          </button>
        </form>
        <FieldError id={fieldId("password")} message={errorAt("password")} announce />
      </td>
    </tr>
  );
}

/** A modal confirmation on the browser's own <dialog>: focus moves in and is held there, Escape cancels. */
function ConfirmDialog(props: {
  title: string;
  confirm: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // A layout effect: its cleanup closes the dialog while it is still in the page, so the
  // browser hands focus back to the button that opened it.
  useLayoutEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement;
    if (element && !element.open) element.showModal();
    return () => {
      element?.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg bg-white p-6 text-slate-900 shadow-lg backdrop:bg-slate-900/40"
    >
      <h2 id="confirm-title" className="mb-2 text-lg font-semibold">
        {props.title}
      </h2>
      <p className="text-sm">{props.children}</p>
      <div className="mt-6 flex flex-wrap justify-end gap-2">
        <button type="button" onClick={props.onCancel} className="rounded border border-slate-300 px-4 py-2 text-sm">
          Cancel
        </button>
        <button
          type="button"
          disabled={props.busy}
          onClick={props.onConfirm}
          className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white disabled:opacity-60"
        >
          {props.busy ? "Changing…" : props.confirm}
        </button>
      </div>
    </dialog>
  );
}
