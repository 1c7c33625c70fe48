"use server";

import { createUser } from "@/lib/auth/create-user";
import { assignRole, resetPassword, setUserDisabled } from "@/lib/auth/manage-users";
import { hasPrivilege, PRIVILEGES, type Principal } from "@/lib/auth/privileges";
import { AppError } from "@/lib/errors";
import { actionFromConsole, CROSS_SITE_ACTION } from "@/web/action-origin";
import { currentPrincipal } from "@/web/session";

export type AdminResult = { ok: true } | { ok: false; message: string };

async function asAdministrator(work: (actor: Principal) => Promise<unknown>): Promise<AdminResult> {
  if (!(await actionFromConsole())) return { ok: false, message: CROSS_SITE_ACTION };
  const principal = await currentPrincipal();
  if (!principal) return { ok: false, message: "Your session has ended; sign in again." };
  if (!hasPrivilege(principal, PRIVILEGES.USER_ADMIN)) {
    return { ok: false, message: `This action needs the ${PRIVILEGES.USER_ADMIN} privilege, which your role does not grant.` };
  }
  try {
    await work(principal);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof AppError ? error.message : "An unexpected error occurred; the server log has the details." };
  }
}

export async function createUserAction(input: { username: string; password: string; role: string }) {
  return asAdministrator((actor) => createUser({ input, actor: actor.username }));
}

export async function assignRoleAction(userId: string, roleId: string) {
  return asAdministrator((actor) => assignRole({ userId, roleId, actor }));
}

export async function setDisabledAction(userId: string, disabled: boolean) {
  return asAdministrator((actor) => setUserDisabled({ userId, disabled, actor }));
}

export async function resetPasswordAction(userId: string, password: string) {
  return asAdministrator((actor) => resetPassword({ userId, password, actor }));
}
