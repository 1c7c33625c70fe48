import { z } from "zod";
import { parseAddress } from "@/lib/s3/endpoint";
import { problemOf } from "@/lib/validation";
import { certificateProblem } from "./ca-certificate";

export const DIRECTIONS = ["COPY_TO_OBJECT", "COPY_FROM_OBJECT"] as const;
export const BUCKET_STYLES = ["BUCKET_STYLE_VIRTUAL_HOSTED", "BUCKET_STYLE_PATH"] as const;
export type Direction = (typeof DIRECTIONS)[number];
export type BucketStyle = (typeof BUCKET_STYLES)[number];

const BUCKET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/;

/** "" or "/" is the bucket root; otherwise no leading "/", exactly one trailing "/". */
export function normaliseObjectFolder(folder: string): string {
  const trimmed = folder.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

function folderProblem(folder: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  if (/[\u0000-\u001f\u007f]/.test(folder)) return "must not contain control characters";
  const parts = folder.slice(0, -1).split("/");
  if (folder !== "" && parts.some((p) => p === "")) return 'must not contain "//"';
  if (parts.some((p) => p === "." || p === "..")) return 'must not contain "." or ".." components';
  if (Buffer.byteLength(folder, "utf8") >= 1024) return "must be shorter than 1,024 bytes of UTF-8";
  return undefined;
}

function addressProblem(address: string): string | undefined {
  try {
    parseAddress(address);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A zod refinement from a function that names the problem, or returns undefined when there is none. */
const refuse =
  (problem: (value: string) => string | undefined) => (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const found = value === "" ? undefined : problem(value);
    if (found) ctx.addIssue({ code: "custom", message: found });
  };

// Each field carries its own checks (not the object): zod skips an object's refinements while any
// field has an issue, and a form shows every field's problem at once.
export const createRelationshipSchema = z
  .object({
    direction: z
      .enum(DIRECTIONS)
      .default("COPY_TO_OBJECT")
      .describe(
        "COPY_TO_OBJECT copies the directory into the folder; COPY_FROM_OBJECT pulls the folder into the directory, which then may not overlap any other relationship's",
      ),
    local_directory_path: z
      .string()
      .min(1, "must not be empty")
      .max(4096, "must be at most 4,096 characters")
      .optional(),
    local_directory_id: z.string().min(1, "must not be empty").max(20, "must be at most 20 digits").optional(),
    object_store_address: z
      .string()
      .min(1, "must not be empty")
      .max(300, "must be at most 300 characters")
      .superRefine(refuse(addressProblem))
      .optional(),
    port: z
      .number()
      .int("must be a whole number")
      .min(1, "must be from 1 to 65535")
      .max(65535, "must be from 1 to 65535")
      .optional(),
    ca_certificate: z
      .string()
      .max(65536, "must be at most 64 KiB")
      .superRefine(refuse(certificateProblem))
      .nullable()
      .optional(),
    bucket: z
      .string()
      .min(1, "must not be empty")
      .regex(
        BUCKET_NAME,
        "must be 3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit",
      ),
    bucket_style: z.enum(BUCKET_STYLES).default("BUCKET_STYLE_VIRTUAL_HOSTED"),
    object_folder: z
      .string()
      .max(1100, "must be shorter than 1,024 bytes of UTF-8")
      .superRefine(refuse((folder) => folderProblem(normaliseObjectFolder(folder))))
      .default(""),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, "must be a region name such as us-east-1")
      .default("us-east-1"),
    access_key_id: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
    secret_access_key: z.string().min(1, "must not be empty").max(1024, "must be at most 1,024 characters"),
    allow_plain_http: z.boolean().default(false),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (!input.local_directory_path && !input.local_directory_id) {
      ctx.addIssue({
        code: "custom",
        path: ["local_directory_path"],
        message: "give local_directory_path or local_directory_id",
      });
    }
  })
  .transform((input) => {
    const objectStoreAddress = input.object_store_address ?? `s3.${input.region}.amazonaws.com`;
    const scheme = parseAddress(objectStoreAddress).scheme;
    return {
      ...input,
      object_store_address: objectStoreAddress,
      port: input.port ?? (scheme === "http" ? 80 : 443),
      object_folder: normaliseObjectFolder(input.object_folder),
      ca_certificate: input.ca_certificate || null,
    };
  });

export type CreateRelationshipInput = z.input<typeof createRelationshipSchema>;
export type ValidCreateRelationshipInput = z.output<typeof createRelationshipSchema>;

/** A problem with one field of a create request: `field` as the API names it, `message` without the name. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The first problem of every field of a create request, in the schema's order; empty when it is valid. */
export function inputProblems(input: unknown): FieldProblem[] {
  const result = createRelationshipSchema.safeParse(input, { reportInput: true });
  if (result.success) return [];
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join(".") || "body";
    if (!problems.has(field)) problems.set(field, problemOf(issue));
  }
  return [...problems].map(([field, message]) => ({ field, message }));
}
