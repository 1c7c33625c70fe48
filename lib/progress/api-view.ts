import {
  progressEntries,
  type AnyField,
  type Fields,
  type FieldName,
  type ProgressSnapshot,
  type ValueOf,
} from "./fields";
import { percentComplete, remainingBytes, remainingFiles } from "./remaining";

type Listed = { [N in FieldName as Fields[N]["api"] extends string ? N : never]: Fields[N] };
type ApiValueOf<F> = F extends { kind: "count" }
  ? string
  : F extends { kind: "total" }
    ? string | null
    : F extends { kind: "rate" }
      ? number
      : ValueOf<F>;

/** `job_progress` as the API sends it: the listed fields, then what is derived from them. */
export type JobProgressView = { [N in keyof Listed as Listed[N]["api"]]: ApiValueOf<Listed[N]> } & {
  bytes_remaining: string | null;
  files_remaining: string | null;
  percent_complete: number | null;
};

const listed = progressEntries.filter(
  (entry): entry is [FieldName, AnyField & { api: string }] => entry[1].api !== null,
);

/**
 * Where each derived field sits in `job_progress`: after the field it is read beside, the order
 * the API has always had (SPEC §5.7).
 */
const DERIVED_AFTER = {
  bytes_remaining: "bytes_unchanged",
  files_remaining: "files_unchanged",
  percent_complete: "files_total",
} as const;
type Derived = keyof typeof DERIVED_AFTER;

/** The listed fields in list order, each derived field after the one it belongs beside. */
function inApiOrder<T>(listedValues: Array<[string, T]>, derived: Record<Derived, T>): Record<string, T> {
  const ordered: Array<[string, T]> = [];
  for (const entry of listedValues) {
    ordered.push(entry);
    for (const [name, after] of Object.entries(DERIVED_AFTER)) {
      if (after === entry[0]) ordered.push([name, derived[name as Derived]]);
    }
  }
  return Object.fromEntries(ordered);
}

/** 64-bit counts as decimal strings; totals, what remains and the percentage null until the totals are known. */
export function progressView(s: ProgressSnapshot): JobProgressView {
  const stored = listed.map(([name, field]): [string, unknown] => {
    const value = s[name];
    if (field.kind === "count") return [field.api, String(value)];
    if (field.kind === "total") return [field.api, s.totalsKnown ? String(value) : null];
    if (field.kind === "rate") return [field.api, Math.round(value as number)];
    return [field.api, value];
  });
  return inApiOrder<unknown>(stored, {
    bytes_remaining: s.totalsKnown ? remainingBytes(s).toString() : null,
    files_remaining: s.totalsKnown ? remainingFiles(s).toString() : null,
    percent_complete: percentComplete(s),
  }) as JobProgressView;
}

const COUNT = { type: "string", pattern: "^[0-9]+$" };
const NULLABLE_COUNT = { ...COUNT, type: ["string", "null"] };

/** A field's OpenAPI schema, from its kind and description. */
export function fieldSchema(field: AnyField): Record<string, unknown> {
  switch (field.kind) {
    case "count":
      return { ...COUNT, description: `${field.description}; a 64-bit count as a decimal string` };
    case "total":
      return { ...NULLABLE_COUNT, description: `${field.description}; null until the totals are known` };
    case "rate":
      return { type: "number", description: field.description };
    case "json":
      return { ...field.schema, description: field.description };
    default:
      return { description: field.description };
  }
}

/** The OpenAPI schema of `job_progress`, from the same list as the view, in the same order. */
export const jobProgressSchema = {
  type: "object",
  properties: inApiOrder<Record<string, unknown>>(
    listed.map(([, field]) => [field.api, fieldSchema(field)]),
    {
      bytes_remaining: { ...NULLABLE_COUNT, description: "bytes still to be copied; null until the totals are known" },
      files_remaining: { ...NULLABLE_COUNT, description: "files still to be copied; null until the totals are known" },
      percent_complete: {
        type: ["number", "null"],
        description: "share of the bytes (of the files when there are no bytes) done; null until the totals are known",
      },
    },
  ),
};
