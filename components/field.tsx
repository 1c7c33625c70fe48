"use client";

/** A labelled input with its help and its error below it, both read out with the field; the console's forms share it. */
export function Field(props: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  help?: string;
  type?: string;
  placeholder?: string;
  multiline?: boolean;
}) {
  const describedBy =
    [props.help ? `${props.name}-help` : "", props.error ? `${props.name}-error` : ""].filter(Boolean).join(" ") ||
    undefined;
  const common = {
    id: props.name,
    name: props.name,
    value: props.value,
    placeholder: props.placeholder,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": describedBy,
    className: `min-w-0 rounded border bg-white px-3 py-2 font-normal ${props.error ? "border-red-600" : "border-slate-300"}`,
  };
  return (
    <div className="flex min-w-0 flex-col gap-1">
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
      {props.help && (
        <p id={`${props.name}-help`} className="text-sm text-slate-600">
          {props.help}
        </p>
      )}
      {props.error && <FieldError id={props.name} message={props.error} />}
    </div>
  );
}

/** "must be at least 10 characters" beside its field reads "Initial password must be at least 10 characters." */
export function beside(label: string, message: string): string {
  if (!/^[a-z]/.test(message)) return message;
  return `${label} ${message}${/[.!?]$/.test(message) ? "" : "."}`;
}

/**
 * A field's error, `${id}-error` for the field's aria-describedby. `announce` reads it out when it
 * appears (one error at a time); a form that shows many at once moves focus to the first instead.
 */
export function FieldError({ id, message, announce = false }: { id: string; message?: string; announce?: boolean }) {
  if (!message) return null;
  return (
    <p
      id={`${id}-error`}
      tabIndex={-1}
      role={announce ? "alert" : undefined}
      className="text-sm break-words text-red-700"
      data-field-error={id}
    >
      {message}
    </p>
  );
}
