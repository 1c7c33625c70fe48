import { z } from "zod";
import { parseAddress } from "@/lib/s3/endpoint";
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

export const createRelationshipSchema = z
  .object({
    direction: z
      .enum(DIRECTIONS)
      .default("COPY_TO_OBJECT")
      .describe(
        "COPY_TO_OBJECT copies the directory into the folder; COPY_FROM_OBJECT pulls the folder into the directory, which then may not overlap any other relationship's",
      ),
    local_directory_path: z.string().min(1).max(4096).optional(),
    local_directory_id: z.string().min(1).max(20).optional(),
    object_store_address: z.string().min(1).max(300).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    ca_certificate: z.string().max(65536).nullable().optional(),
    bucket: z
      .string()
      .regex(
        BUCKET_NAME,
        "must be 3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit",
      ),
    bucket_style: z.enum(BUCKET_STYLES).default("BUCKET_STYLE_VIRTUAL_HOSTED"),
    object_folder: z.string().max(1100).default(""),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, "must be a region name such as us-east-1")
      .default("us-east-1"),
    access_key_id: z.string().min(1).max(256),
    secret_access_key: z.string().min(1).max(1024),
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
    const folder = normaliseObjectFolder(input.object_folder);
    const problem = folderProblem(folder);
    if (problem) ctx.addIssue({ code: "custom", path: ["object_folder"], message: problem });
    if (input.ca_certificate) {
      const certProblem = certificateProblem(input.ca_certificate);
      if (certProblem) ctx.addIssue({ code: "custom", path: ["ca_certificate"], message: certProblem });
    }
    if (input.object_store_address) {
      const addrProblem = addressProblem(input.object_store_address);
      if (addrProblem) ctx.addIssue({ code: "custom", path: ["object_store_address"], message: addrProblem });
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
