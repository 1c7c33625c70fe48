"use server";

import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { AppError } from "@/lib/errors";
import { abortObjectReplication } from "@/lib/replication/abort-object-replication";
import { deleteObjectRelationship } from "@/lib/replication/delete-object-relationship";
import { startObjectReplication } from "@/lib/replication/start-object-replication";
import { actionFromConsole, CROSS_SITE_ACTION } from "@/web/action-origin";
import { currentPrincipal } from "@/web/session";

export type ActionResult = { ok: true } | { ok: false; message: string };

type Operation = (args: { id: string; actor: NonNullable<Awaited<ReturnType<typeof currentPrincipal>>> }) => Promise<unknown>;

/** Each action checks the session's privilege on the server, whatever the page showed. */
async function guarded(operation: Operation, id: string): Promise<ActionResult> {
  if (!(await actionFromConsole())) return { ok: false, message: CROSS_SITE_ACTION };
  const principal = await currentPrincipal();
  if (!principal) return { ok: false, message: "Your session has ended; sign in again." };
  if (!hasPrivilege(principal, PRIVILEGES.REPLICATION_WRITE)) {
    return { ok: false, message: `This action needs the ${PRIVILEGES.REPLICATION_WRITE} privilege, which your role does not grant.` };
  }
  try {
    await operation({ id, actor: principal });
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof AppError ? error.message : "An unexpected error occurred; the server log has the details." };
  }
}

export async function stopCopy(id: string) {
  return guarded(abortObjectReplication, id);
}

export async function repeatCopy(id: string) {
  return guarded(startObjectReplication, id);
}

export async function deleteCopy(id: string) {
  return guarded(deleteObjectRelationship, id);
}
