"use server";

import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { AppError } from "@/lib/errors";
import { createObjectRelationship } from "@/lib/replication/create-object-relationship";
import { actionFromConsole, CROSS_SITE_ACTION } from "@/web/action-origin";
import { currentPrincipal } from "@/web/session";

export type CreateCopyResult = { ok: true; id: string } | { ok: false; field?: string; message: string };

/** The Create Copy form's action: the same domain function as the REST API, the same checks. */
export async function createCopy(input: Record<string, unknown>): Promise<CreateCopyResult> {
  if (!(await actionFromConsole())) return { ok: false, message: CROSS_SITE_ACTION };
  const principal = await currentPrincipal();
  if (!principal) return { ok: false, message: "Your session has ended; sign in again." };
  if (!hasPrivilege(principal, PRIVILEGES.REPLICATION_WRITE)) {
    return { ok: false, message: `This action needs the ${PRIVILEGES.REPLICATION_WRITE} privilege, which your role does not grant.` };
  }
  try {
    const relationship = await createObjectRelationship({ input, actor: principal });
    return { ok: true, id: relationship.id };
  } catch (error) {
    if (error instanceof AppError) {
      // Beside its field the message needs no "field: " prefix.
      const message = error.field && error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
      return { ok: false, field: error.field, message };
    }
    return { ok: false, message: "An unexpected error occurred; the server log has the details." };
  }
}
