import type { z } from "zod";
import { AppError } from "./errors";

/** Parses untrusted input; the first problem becomes a 400 that names the field and the cause. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // zod 4 keeps the offending value in an issue only when asked; it is read here, never shown.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join(".") || "body";
  throw new AppError("VALIDATION", `${field}: ${problemOf(issue)}`, { field });
}

/** What is wrong with the field an issue names, in words that follow its name. */
export function problemOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    // A missing field has no input at all; one of the wrong type says what it should be.
    if (!("input" in issue) || issue.input === undefined) return "is required";
    return `must be ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
  }
  if (issue.code === "unrecognized_keys") {
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return issue.message;
}
