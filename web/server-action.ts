import { headers } from "next/headers";
import type { z } from "zod";
import { refuseAction } from "@/lib/auth/access-events";
import { hasPrivilege, type Principal, type Privilege } from "@/lib/auth/privileges";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { actionFromConsole, CROSS_SITE_ACTION } from "./action-origin";
import { currentPrincipal } from "./session";

/**
 * What a console form gets back. `field`, when the error concerns one input, carries the message
 * without its "field: " prefix, for showing beside that input.
 */
export type ActionFailure = { ok: false; message: string; field?: { name: string; message: string } };
export type ActionResult<T extends object = object> = ({ ok: true } & T) | ActionFailure;

const SESSION_ENDED = "Your session has ended; sign in again.";
const UNEXPECTED = "An unexpected error occurred; the server log has the details.";

/**
 * The shape of every server action, beside `apiRoute`: the request must come from the console's
 * own pages, the session must hold `privilege` (read from the database now, whatever the page
 * showed), the argument is parsed with `input` (a browser can send anything), and errors become
 * the message the form shows. Unknown errors never leak their details.
 */
export function serverAction<S extends z.ZodType, T extends object | void>(
  privilege: Privilege,
  input: S,
  operation: (args: { input: z.output<S>; actor: Principal }) => Promise<T>,
): (raw: z.input<S>) => Promise<ActionResult<T extends object ? T : object>> {
  return async (raw) => {
    if (!(await actionFromConsole())) return { ok: false, message: CROSS_SITE_ACTION };
    const actor = await currentPrincipal();
    if (!actor) return { ok: false, message: SESSION_ENDED };
    try {
      if (!hasPrivilege(actor, privilege)) throw await refuseAction(actor, privilege, await consolePage());
      const value = await operation({ input: parseInput(input, raw), actor });
      return { ok: true, ...(value ?? {}) } as { ok: true } & (T extends object ? T : object);
    } catch (error) {
      return failureOf(error);
    }
  };
}

function failureOf(error: unknown): ActionFailure {
  if (!(error instanceof AppError)) {
    console.error(
      "unexpected error in a server action:",
      error instanceof Error ? `${error.name}: ${error.message}` : "unknown",
    );
    return { ok: false, message: UNEXPECTED };
  }
  const prefix = `${error.field}: `;
  const field = error.field
    ? {
        name: error.field,
        message: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
      }
    : undefined;
  return { ok: false, message: error.message, ...(field ? { field } : {}) };
}

/** The console page an action was sent from, for the audit trail (the page says more than the privilege). */
async function consolePage(): Promise<string> {
  const referer = (await headers()).get("referer");
  try {
    return referer ? `console ${new URL(referer).pathname}` : "console";
  } catch {
    return "console";
  }
}
