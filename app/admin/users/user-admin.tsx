"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { TableHead } from "@/components/table-head";
import type { ActionResult } from "@/web/server-action";
import { assignRoleAction, createUserAction, resetPasswordAction, setDisabledAction } from "./actions";

interface User {
  id: string;
  username: string;
  role_id: string;
  disabled: boolean;
}
interface Role {
  id: string;
  name: string;
}

export function UserAdmin({ users, roles }: { users: User[]; roles: Role[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  async function run(result: Promise<ActionResult>, success: string) {
    const r = await result;
    setMessage(r.ok ? { ok: true, text: success } : { ok: false, text: r.message });
    if (r.ok) router.refresh();
  }

  return (
    <div className="flex flex-col gap-8">
      {message && (
        <p
          role={message.ok ? "status" : "alert"}
          className={message.ok ? "text-sm text-green-800" : "text-sm text-red-700"}
        >
          {message.text}
        </p>
      )}
      <table className="w-full text-left text-sm">
        <TableHead columns={["User", "Role", "Status", "Password"]} />
        <tbody>
          {users.map((user) => (
            <tr key={user.id} className="border-b border-slate-100" data-testid={`user-${user.username}`}>
              <td className="py-2 pr-4 font-mono">{user.username}</td>
              <td className="py-2 pr-4">
                <select
                  aria-label={`Role of ${user.username}`}
                  defaultValue={user.role_id}
                  onChange={(e) =>
                    run(
                      assignRoleAction({ userId: user.id, roleId: e.target.value }),
                      `${user.username} now has the role ${e.target.selectedOptions[0]?.text}; their sessions have ended, and they sign in again to use it.`,
                    )
                  }
                  className="rounded border border-slate-300 px-2 py-1"
                >
                  {roles.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name}
                    </option>
                  ))}
                </select>
              </td>
              <td className="py-2 pr-4">
                {user.disabled ? "Disabled" : "Active"}{" "}
                <button
                  type="button"
                  onClick={() =>
                    run(
                      setDisabledAction({ userId: user.id, disabled: !user.disabled }),
                      `${user.username} is now ${user.disabled ? "enabled" : "disabled"}.`,
                    )
                  }
                  className="ml-2 rounded border border-slate-300 px-2 py-1"
                >
                  {user.disabled ? `Enable ${user.username}` : `Disable ${user.username}`}
                </button>
              </td>
              <td className="py-2">
                <form
                  className="flex gap-2"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const form = e.currentTarget;
                    const password = String(new FormData(form).get("password") ?? "");
                    void run(
                      resetPasswordAction({ userId: user.id, password }),
                      `The password of ${user.username} was reset.`,
                    ).then(() => form.reset());
                  }}
                >
                  <input
                    name="password"
                    type="password"
                    aria-label={`New password for ${user.username}`}
                    autoComplete="new-password"
                    className="rounded border border-slate-300 px-2 py-1"
                  />
                  <button type="submit" className="rounded border border-slate-300 px-2 py-1">
                    Reset
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <form
        className="flex max-w-md flex-col gap-3 rounded-lg border border-slate-200 bg-white p-5"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const data = new FormData(form);
          const username = String(data.get("username") ?? "");
          void run(
            createUserAction({
              username,
              password: String(data.get("password") ?? ""),
              role: String(data.get("role") ?? "observers"),
            }),
            `User ${username} was created.`,
          ).then(() => form.reset());
        }}
      >
        <h2 className="text-lg font-semibold">Create user</h2>
        <label className="flex flex-col gap-1 text-sm font-medium">
          New username
          <input name="username" required className="rounded border border-slate-300 px-3 py-2 font-normal" />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Initial password
          <input
            name="password"
            type="password"
            required
            autoComplete="new-password"
            className="rounded border border-slate-300 px-3 py-2 font-normal"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Role
          <select
            name="role"
            defaultValue="observers"
            className="rounded border border-slate-300 px-3 py-2 font-normal"
          >
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded bg-blue-700 px-4 py-2 font-medium text-white">
          Create user
        </button>
      </form>
    </div>
  );
}
