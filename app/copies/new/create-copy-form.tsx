"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ModalDialog } from "@/components/modal-dialog";
import type { RelationshipWarning, WhereDataGoes } from "@/lib/replication/check-object-relationship";
import type { FieldProblem } from "@/lib/replication/relationship-input";
import type { ActionFailure } from "@/web/server-action";
import { checkCopy, createCopy } from "./actions";
import { Field, FieldError } from "@/components/field";
import { ADVANCED_FIELDS, FIELD_LABELS, formFieldOf, inFormWords, plainMessage, type FormField } from "./plain-words";
import { ReviewSettings, Warnings } from "./review-settings";

type Direction = "COPY_TO_OBJECT" | "COPY_FROM_OBJECT";
type Pending = "review" | "test" | "create";

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
type TextField = Exclude<keyof Fields, "bucket_style" | "allow_plain_http">;
/** The fields shown as they are, in order, before the secret and the advanced settings. */
const PLAIN_FIELDS = ["local_directory_path", "bucket", "object_folder", "region", "access_key_id"] as const;
type Errors = Partial<Record<FormField | "form", string>>;

function requestBody(direction: Direction, fields: Fields) {
  return {
    direction,
    local_directory_path: fields.local_directory_path,
    bucket: fields.bucket,
    object_folder: fields.object_folder,
    region: fields.region,
    access_key_id: fields.access_key_id,
    secret_access_key: fields.secret_access_key,
    bucket_style: fields.bucket_style,
    allow_plain_http: fields.allow_plain_http,
    ...(fields.object_store_address.trim() ? { object_store_address: fields.object_store_address.trim() } : {}),
    ...(fields.port.trim() ? { port: Number(fields.port.trim()) } : {}),
    ...(fields.ca_certificate.trim() ? { ca_certificate: fields.ca_certificate } : {}),
  };
}

/** The problems of a failed action: beside its field when it names one, else for the whole form. */
function problemsOf(failure: ActionFailure): FieldProblem[] {
  return [
    failure.field
      ? { field: failure.field.name, message: failure.field.message }
      : { field: "body", message: failure.message },
  ];
}

export function CreateCopyForm() {
  const router = useRouter();
  const [direction, setDirection] = useState<Direction>("COPY_TO_OBJECT");
  const [fields, setFields] = useState<Fields>(INITIAL);
  const [errors, setErrors] = useState<Errors>({});
  const [focusTarget, setFocusTarget] = useState<{ id: string } | null>(null);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [review, setReview] = useState<WhereDataGoes | null>(null);
  const [warnings, setWarnings] = useState<RelationshipWarning[]>([]);
  const [tested, setTested] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const toRemote = direction === "COPY_TO_OBJECT";

  const set = (name: keyof Fields) => (value: string | boolean) => {
    setFields((f) => ({ ...f, [name]: value }));
    setTested(null);
  };

  const fieldProps = (name: TextField) => ({
    name,
    label: FIELD_LABELS[name],
    value: fields[name],
    onChange: set(name),
    error: errors[name],
  });

  // After an error, focus goes to the first field in error (its section opened first).
  useEffect(() => {
    if (focusTarget) document.getElementById(focusTarget.id)?.focus();
  }, [focusTarget]);

  function showProblems(problems: FieldProblem[]) {
    const next: Errors = {};
    for (const { field, message } of problems) {
      const target = formFieldOf(field);
      next[target] ??= target === "form" ? sentence(inFormWords(message)) : plainMessage(field, message);
    }
    setErrors(next);
    setWarnings([]);
    setTested(null);
    if (ADVANCED_FIELDS.some((f) => f in next)) setAdvancedOpen(true);
    const first = (Object.keys(FIELD_LABELS) as FormField[]).find((f) => f in next);
    setFocusTarget({ id: first === "direction" ? `direction-${direction}` : (first ?? "form-error") });
  }

  async function check(kind: "review" | "test") {
    if (pending) return;
    setPending(kind);
    const result = await checkCopy(requestBody(direction, fields));
    setPending(null);
    if (!result.ok) return showProblems(problemsOf(result));
    if (result.problems.length > 0 || !result.review) return showProblems(result.problems);
    setErrors({});
    setWarnings(result.warnings);
    if (kind === "review") setReview(result.review);
    else
      setTested(
        `Connection works: ${result.review.endpoint_url} answered and bucket "${result.review.bucket}" can be listed with these keys. Nothing was created.`,
      );
  }

  async function create() {
    if (pending) return;
    setPending("create");
    const result = await createCopy(requestBody(direction, fields));
    if (result.ok) {
      router.push("/copies");
      router.refresh();
      return;
    }
    setPending(null);
    setReview(null);
    showProblems(problemsOf(result));
  }

  const errorCount = Object.keys(errors).length;
  return (
    <>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check("review");
        }}
        className="flex max-w-2xl min-w-0 flex-col gap-5"
        noValidate
      >
        <fieldset className="flex flex-wrap gap-2" aria-label="Direction">
          {(["COPY_TO_OBJECT", "COPY_FROM_OBJECT"] as const).map((d) => (
            <button
              key={d}
              id={`direction-${d}`}
              type="button"
              aria-pressed={direction === d}
              onClick={() => {
                setDirection(d);
                setTested(null);
              }}
              className={`rounded border px-4 py-2 text-sm ${direction === d ? "border-blue-700 bg-blue-700 text-white" : "border-slate-300 bg-white"}`}
            >
              {d === "COPY_TO_OBJECT" ? "Local ⇨ Remote" : "Local ⇦ Remote"}
            </button>
          ))}
        </fieldset>
        {errors.direction && <FieldError id="direction" message={errors.direction} />}
        {PLAIN_FIELDS.map((name) => (
          <Field key={name} {...fieldProps(name)} />
        ))}
        <Field {...fieldProps("secret_access_key")} type="password" />
        <details
          className="rounded border border-slate-200 bg-white p-4"
          open={advancedOpen}
          onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}
        >
          <summary className="cursor-pointer text-sm font-medium">Advanced S3 Server Settings</summary>
          <div className="mt-4 flex flex-col gap-4">
            <Field
              {...fieldProps("object_store_address")}
              placeholder="https://s3.example.com"
              help={`Begin with https:// or http:// (http://127.0.0.1 for a store on this server); give the port in Port, not here. Left empty: Amazon S3 (https://s3.${fields.region || "<region>"}.amazonaws.com).`}
            />
            <Field
              {...fieldProps("port")}
              placeholder={/^\s*http:\/\//i.test(fields.object_store_address) ? "80" : "443"}
              help="Left empty: 443 for https://, 80 for http://."
            />
            <Field
              {...fieldProps("ca_certificate")}
              help="Only for a store whose TLS certificate is signed by your own CA: paste that CA's PEM certificate."
              multiline
            />
            <div className="flex flex-col gap-1">
              <label htmlFor="bucket_style" className="text-sm font-medium">
                {FIELD_LABELS.bucket_style}
              </label>
              <select
                id="bucket_style"
                value={fields.bucket_style}
                onChange={(e) => set("bucket_style")(e.target.value)}
                aria-invalid={errors.bucket_style ? true : undefined}
                aria-describedby={errors.bucket_style ? "bucket_style-error" : undefined}
                className="rounded border border-slate-300 bg-white px-3 py-2 text-sm"
              >
                <option value="BUCKET_STYLE_VIRTUAL_HOSTED">Virtual hosted</option>
                <option value="BUCKET_STYLE_PATH">Path</option>
              </select>
              {errors.bucket_style && <FieldError id="bucket_style" message={errors.bucket_style} />}
            </div>
            <div className="flex flex-col gap-1">
              <label className="flex items-center gap-2 text-sm">
                <input
                  id="allow_plain_http"
                  type="checkbox"
                  checked={fields.allow_plain_http}
                  onChange={(e) => set("allow_plain_http")(e.target.checked)}
                  aria-invalid={errors.allow_plain_http ? true : undefined}
                  aria-describedby={errors.allow_plain_http ? "allow_plain_http-error" : undefined}
                />
                {FIELD_LABELS.allow_plain_http}
              </label>
              {errors.allow_plain_http && <FieldError id="allow_plain_http" message={errors.allow_plain_http} />}
            </div>
          </div>
        </details>
        {errors.form && <FieldError id="form" message={errors.form} />}
        <div className="flex flex-col gap-3">
          {errorCount > 0 && (
            <p role="alert" className="text-sm font-medium text-red-700" data-testid="error-summary">
              {errorCount === 1
                ? "One problem to fix; it is shown beside its field."
                : `${errorCount} problems to fix; each is shown beside its field.`}
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            <button
              type="submit"
              aria-disabled={pending !== null}
              className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-70"
            >
              {pending === "review" ? "Checking…" : "Create Copy"}
            </button>
            <button
              type="button"
              aria-disabled={pending !== null}
              onClick={() => void check("test")}
              className="rounded border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-50 aria-disabled:opacity-70"
            >
              {pending === "test" ? "Testing…" : "Test connection"}
            </button>
          </div>
          <div role="status" className="flex flex-col gap-2 text-sm">
            {tested && (
              <p className="break-words text-green-800" data-testid="connection-ok">
                {tested}
              </p>
            )}
            {tested && <Warnings warnings={warnings} />}
          </div>
        </div>
      </form>
      <ModalDialog
        open={review !== null}
        title={toRemote ? "Create Copy to S3?" : "Create Copy from S3?"}
        busy={pending === "create"}
        onClose={() => setReview(null)}
      >
        {review && <ReviewSettings settings={review} />}
        <div className="mt-4 flex flex-col gap-3">
          <Warnings warnings={warnings} />
          <p className="text-sm">The first job starts as soon as the copy is created.</p>
        </div>
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <button
            type="button"
            onClick={() => pending !== "create" && setReview(null)}
            aria-disabled={pending === "create"}
            className="rounded border border-slate-300 px-4 py-2 text-sm aria-disabled:opacity-60"
          >
            Cancel
          </button>
          <button
            type="button"
            aria-disabled={pending === "create"}
            onClick={() => void create()}
            className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white aria-disabled:opacity-60"
          >
            {pending === "create" ? "Creating…" : warnings.length > 0 ? "Yes, Create Anyway" : "Yes, Create"}
          </button>
        </div>
      </ModalDialog>
    </>
  );
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
