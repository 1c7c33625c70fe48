"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { TableHead } from "@/components/table-head";
import type { ActionResult } from "@/web/server-action";
import { createUserAction } from "./actions";
import { beside, FieldError } from "@/components/field";
import { UserRow, type Role, type User } from "./user-row";

const EMPTY = { username: "", password: "", role: "observers" };
type CreateField = keyof typeof EMPTY;
const CREATE_LABELS: Record<CreateField, string> = {
  username: "New username",
  password: "Initial password",
  role: "Role",
};

export function UserAdmin({ users, roles }: { users: User[]; roles: Role[] }) {
  const router = useRouter();
  const [done, setDone] = useState<string>();

  return (
    <div className="flex flex-col gap-8">
      <p role="status" className="text-sm text-green-800 empty:hidden">
        {done}
      </p>
      <table className="w-full text-left text-sm">
        <TableHead columns={["User", "Role", "Status", "Password"]} />
        <tbody>
          {users.map((user) => (
            <UserRow
              key={`${user.id}:${user.role_id}:${user.disabled}`}
              user={user}
              roles={roles}
              onDone={(text) => {
                setDone(text);
                router.refresh();
              }}
            />
          ))}
        </tbody>
      </table>
      <CreateUserForm
        roles={roles}
        onCreated={(username) => {
          setDone(`User ${username} was created.`);
          router.refresh();
        }}
      />
    </div>
  );
}

/** Keeps what was typed when the server refuses it, and says why beside the field concerned. */
function CreateUserForm({ roles, onCreated }: { roles: Role[]; onCreated: (username: string) => void }) {
  const [fields, setFields] = useState(EMPTY);
  const [failure, setFailure] = useState<{ field?: CreateField; message: string }>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  async function submit() {
    setBusy(true);
    setFailure(undefined);
    const result: ActionResult = await createUserAction(fields);
    setBusy(false);
    if (result.ok) {
      setFields(EMPTY);
      onCreated(fields.username);
      return;
    }
    const field = result.field && result.field.name in EMPTY ? (result.field.name as CreateField) : undefined;
    setFailure(
      field ? { field, message: beside(CREATE_LABELS[field], result.field!.message) } : { message: result.message },
    );
  }

  // Focus moves to the field in error once its message is in place, so it is read with it.
  useEffect(() => {
    const target = failure?.field ? form.current?.elements.namedItem(failure.field) : null;
    if (target instanceof HTMLElement) target.focus();
  }, [failure]);

  const errorOf = (name: CreateField) => (failure?.field === name ? failure.message : undefined);
  const control = (name: CreateField) => ({
    id: `create-${name}`,
    name,
    value: fields[name],
    "aria-invalid": errorOf(name) ? true : undefined,
    "aria-describedby": errorOf(name) ? `create-${name}-error` : undefined,
    className: `rounded border px-3 py-2 font-normal ${errorOf(name) ? "border-red-600" : "border-slate-300"}`,
  });
  const set = (name: CreateField) => (event: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [name]: event.target.value }));

  return (
    <form
      ref={form}
      aria-labelledby="create-user-title"
      className="flex w-full max-w-md flex-col gap-3 rounded-lg border border-slate-200 bg-white p-5"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2 id="create-user-title" className="text-lg font-semibold">
        Create user
      </h2>
      {(["username", "password"] as const).map((name) => (
        <div key={name} className="flex flex-col gap-1">
          <label htmlFor={`create-${name}`} className="text-sm font-medium">
            {CREATE_LABELS[name]}
          </label>
          <input
            {...control(name)}
            onChange={set(name)}
            required
            {...(name === "password" ? { type: "password", autoComplete: "new-password" } : { autoComplete: "off" })}
          />
          <FieldError id={`create-${name}`} message={errorOf(name)} announce />
        </div>
      ))}
      <div className="flex flex-col gap-1">
        <label htmlFor="create-role" className="text-sm font-medium">
          Role
        </label>
        <select {...control("role")} onChange={set("role")}>
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
        <FieldError id="create-role" message={errorOf("role")} announce />
      </div>
      {failure && !failure.field && <FieldError id="create" message={failure.message} announce />}
      <button
        type="submit"
        disabled={busy}
        className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
      >
        {busy ? "Creating…" : "Create user"}
      </button>
    </form>
  );
}
