"use client";

import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { createCopy } from "./actions";

type Direction = "COPY_TO_OBJECT" | "COPY_FROM_OBJECT";

const INITIAL = {
  local_directory_path: "/",
  bucket: "",
  object_folder: "",
  region: "us-east-1",
  access_key_id: "",
  secret_access_key: "",
  object_store_address: "",
  port: "",
  ca_certificate: "",
  bucket_style: "BUCKET_STYLE_VIRTUAL_HOSTED",
  allow_plain_http: false,
};
type Fields = typeof INITIAL;

export function CreateCopyForm() {
  const router = useRouter();
  const [direction, setDirection] = useState<Direction>("COPY_TO_OBJECT");
  const [fields, setFields] = useState<Fields>(INITIAL);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reviewing, setReviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (name: keyof Fields) => (value: string | boolean) => setFields((f) => ({ ...f, [name]: value }));
  const toRemote = direction === "COPY_TO_OBJECT";

  async function create() {
    setBusy(true);
    const result = await createCopy({
      direction,
      local_directory_path: fields.local_directory_path,
      bucket: fields.bucket,
      object_folder: fields.object_folder,
      region: fields.region,
      access_key_id: fields.access_key_id,
      secret_access_key: fields.secret_access_key,
      bucket_style: fields.bucket_style,
      allow_plain_http: fields.allow_plain_http,
      ...(fields.object_store_address ? { object_store_address: fields.object_store_address } : {}),
      ...(fields.port ? { port: Number(fields.port) } : {}),
      ...(fields.ca_certificate ? { ca_certificate: fields.ca_certificate } : {}),
    });
    setBusy(false);
    setReviewing(false);
    if (result.ok) {
      router.push("/copies");
      router.refresh();
    } else {
      setErrors(result.field ? { [result.field.name]: result.field.message } : { form: result.message });
    }
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setErrors({});
        setReviewing(true);
      }}
      className="flex max-w-2xl flex-col gap-5"
      noValidate
    >
      <fieldset className="flex gap-2" aria-label="Direction">
        {(["COPY_TO_OBJECT", "COPY_FROM_OBJECT"] as const).map((d) => (
          <button
            key={d}
            type="button"
            aria-pressed={direction === d}
            onClick={() => setDirection(d)}
            className={`rounded border px-4 py-2 text-sm ${direction === d ? "border-blue-700 bg-blue-700 text-white" : "border-slate-300 bg-white"}`}
          >
            {d === "COPY_TO_OBJECT" ? "Local ⇨ Remote" : "Local ⇦ Remote"}
          </button>
        ))}
      </fieldset>
      {errors.direction && <FieldError id="direction" message={errors.direction} />}
      <Field
        name="local_directory_path"
        label="Directory Path"
        value={fields.local_directory_path}
        onChange={set("local_directory_path")}
        error={errors.local_directory_path}
      />
      <Field name="bucket" label="Bucket Name" value={fields.bucket} onChange={set("bucket")} error={errors.bucket} />
      <Field
        name="object_folder"
        label="Folder"
        value={fields.object_folder}
        onChange={set("object_folder")}
        error={errors.object_folder}
      />
      <Field name="region" label="Region" value={fields.region} onChange={set("region")} error={errors.region} />
      <Field
        name="access_key_id"
        label="Access Key ID"
        value={fields.access_key_id}
        onChange={set("access_key_id")}
        error={errors.access_key_id}
      />
      <Field
        name="secret_access_key"
        label="Secret Access Key"
        type="password"
        value={fields.secret_access_key}
        onChange={set("secret_access_key")}
        error={errors.secret_access_key}
      />
      <details className="rounded border border-slate-200 bg-white p-4" open={hasAdvancedError(errors)}>
        <summary className="cursor-pointer text-sm font-medium">Advanced S3 Server Settings</summary>
        <div className="mt-4 flex flex-col gap-4">
          <Field
            name="object_store_address"
            label="Object Store Address"
            placeholder={`s3.${fields.region || "<region>"}.amazonaws.com`}
            value={fields.object_store_address}
            onChange={set("object_store_address")}
            error={errors.object_store_address}
          />
          <Field
            name="port"
            label="Port"
            placeholder="443"
            value={fields.port}
            onChange={set("port")}
            error={errors.port}
          />
          <Field
            name="ca_certificate"
            label="CA Certificate"
            multiline
            value={fields.ca_certificate}
            onChange={set("ca_certificate")}
            error={errors.ca_certificate}
          />
          <label className="flex flex-col gap-1 text-sm font-medium">
            Bucket Style
            <select
              value={fields.bucket_style}
              onChange={(e) => set("bucket_style")(e.target.value)}
              className="rounded border border-slate-300 px-3 py-2 font-normal"
            >
              <option value="BUCKET_STYLE_VIRTUAL_HOSTED">Virtual hosted</option>
              <option value="BUCKET_STYLE_PATH">Path</option>
            </select>
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={fields.allow_plain_http}
              onChange={(e) => set("allow_plain_http")(e.target.checked)}
            />
            Allow plain HTTP to a non-loopback address
          </label>
        </div>
      </details>
      {errors.form && <FieldError id="form" message={errors.form} />}
      {errors.body && <FieldError id="body" message={errors.body} />}
      <div>
        <button type="submit" className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800">
          Create Copy
        </button>
      </div>
      {reviewing && (
        <ReviewDialog
          title={toRemote ? "Create Copy to S3?" : "Create Copy from S3?"}
          busy={busy}
          onCancel={() => setReviewing(false)}
          onConfirm={create}
        >
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600">{toRemote ? "From" : "To"} directory</dt>
            <dd className="font-mono">{fields.local_directory_path}</dd>
            <dt className="text-slate-600">{toRemote ? "To" : "From"} bucket</dt>
            <dd className="font-mono">
              {fields.bucket}/{fields.object_folder}
            </dd>
            <dt className="text-slate-600">Object store</dt>
            <dd className="font-mono">{fields.object_store_address || `s3.${fields.region}.amazonaws.com`}</dd>
          </dl>
          <p className="mt-3 text-sm">The first copy starts as soon as it is created.</p>
        </ReviewDialog>
      )}
    </form>
  );
}

function hasAdvancedError(errors: Record<string, string>): boolean {
  return ["object_store_address", "port", "ca_certificate", "bucket_style", "allow_plain_http"].some(
    (f) => f in errors,
  );
}

function Field(props: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  type?: string;
  placeholder?: string;
  multiline?: boolean;
}) {
  const describedBy = props.error ? `${props.name}-error` : undefined;
  const common = {
    id: props.name,
    name: props.name,
    value: props.value,
    placeholder: props.placeholder,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": describedBy,
    className: `rounded border px-3 py-2 font-normal ${props.error ? "border-red-600" : "border-slate-300"}`,
  };
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={props.name} className="text-sm font-medium">
        {props.label}
      </label>
      {props.multiline ? (
        <textarea {...common} rows={4} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? "text"}
          autoComplete={props.type === "password" ? "new-password" : "off"}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.error && <FieldError id={props.name} message={props.error} />}
    </div>
  );
}

function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p id={`${id}-error`} className="text-sm text-red-700" data-field-error={id}>
      {message}
    </p>
  );
}

function ReviewDialog(props: {
  title: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  children: ReactNode;
}) {
  return (
    <div className="fixed inset-0 flex items-center justify-center bg-slate-900/40">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="review-title"
        className="w-full max-w-md rounded-lg bg-white p-6 shadow-lg"
      >
        <h2 id="review-title" className="mb-4 text-lg font-semibold">
          {props.title}
        </h2>
        {props.children}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" onClick={props.onCancel} className="rounded border border-slate-300 px-4 py-2 text-sm">
            Cancel
          </button>
          <button
            type="button"
            disabled={props.busy}
            onClick={props.onConfirm}
            className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white disabled:opacity-60"
          >
            {props.busy ? "Creating…" : "Yes, Create"}
          </button>
        </div>
      </div>
    </div>
  );
}
