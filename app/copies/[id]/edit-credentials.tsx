"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field, FieldError } from "@/components/field";
import { ModalDialog } from "@/components/modal-dialog";
import { changeCredentials } from "./actions";

type Errors = Partial<Record<"access_key_id" | "secret_access_key" | "form", string>>;

/**
 * Rotating a copy's access key and secret. The server checks the new keys against the store
 * before it keeps them; the copy keeps its tracking state, so nothing is copied again for it.
 */
export function EditCredentials({ id, accessKeyId }: { id: string; accessKeyId: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [keyId, setKeyId] = useState(accessKeyId);
  const [secret, setSecret] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState("");

  function start() {
    setKeyId(accessKeyId);
    setSecret("");
    setErrors({});
    setDone("");
    setOpen(true);
  }

  async function save() {
    if (saving) return;
    const missing: Errors = {};
    if (!keyId.trim()) missing.access_key_id = "Access Key ID is required.";
    if (!secret) missing.secret_access_key = "Secret Access Key is required.";
    if (Object.keys(missing).length > 0) return setErrors(missing);
    setSaving(true);
    setErrors({});
    const result = await changeCredentials({
      id,
      access_key_id: keyId.trim() === accessKeyId ? undefined : keyId.trim(),
      secret_access_key: secret,
    });
    setSaving(false);
    if (!result.ok) {
      const field = result.field?.name;
      setErrors(
        field === "access_key_id" || field === "secret_access_key"
          ? { [field]: result.field!.message }
          : { form: result.message },
      );
      return;
    }
    setOpen(false);
    setSecret("");
    setDone("The new credentials were accepted by the store; the next job uses them.");
    router.refresh();
  }

  return (
    <>
      <button type="button" onClick={start} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm">
        Edit credentials
      </button>
      <p role="status" className="text-sm text-green-800">
        {done}
      </p>
      <ModalDialog open={open} title="Edit credentials" busy={saving} onClose={() => setOpen(false)}>
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <p className="text-sm">
            The new keys are checked against the object store before they are kept. Nothing is copied again because of
            the change; a job already running keeps the keys it started with.
          </p>
          <Field
            name="access_key_id"
            label="Access Key ID"
            value={keyId}
            onChange={setKeyId}
            error={errors.access_key_id}
          />
          <Field
            name="secret_access_key"
            label="Secret Access Key"
            type="password"
            value={secret}
            onChange={setSecret}
            error={errors.secret_access_key}
            help="Never shown again once saved."
          />
          <FieldError id="credentials-form" message={errors.form} announce />
          <div className="flex flex-wrap justify-end gap-2">
            <button
              type="button"
              data-autofocus
              onClick={() => !saving && setOpen(false)}
              className="rounded border border-slate-300 px-4 py-2 text-sm"
            >
              Cancel
            </button>
            <button
              type="submit"
              aria-disabled={saving || undefined}
              className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white aria-disabled:opacity-60"
            >
              {saving ? "Checking with the store…" : "Save"}
            </button>
          </div>
        </form>
      </ModalDialog>
    </>
  );
}
