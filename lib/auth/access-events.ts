import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { recordAudit } from "./audit";
import type { Principal, Privilege } from "./privileges";

/** How a sign-in arrived: the API's token login, or the console's sign-in page. */
export type SignInChannel = "api" | "console";

/**
 * Sign-ins, failed sign-ins and refused actions go to the audit trail beside the changes, so an
 * administrator sees who got in, who tried, and who reached for more than their role grants.
 * Attempts the sign-in throttle turns away are not recorded one by one: they cost an attacker
 * nothing, and would fill the trail.
 */
export async function recordSignIn(username: string, address: string, via: SignInChannel): Promise<void> {
  await recordAudit(db(), { actor: username, action: "session.sign-in", target: username, detail: { address, via } });
}

export async function recordFailedSignIn(username: string, address: string, via: SignInChannel): Promise<void> {
  await recordAudit(db(), {
    actor: username,
    action: "session.sign-in-failed",
    target: username,
    detail: { address, via },
  });
}

const lacksPrivilege = (privilege: Privilege) =>
  new AppError("FORBIDDEN", `This action needs the ${privilege} privilege, which your role does not grant.`);

/** Records the refusal and returns the error the caller throws. */
export async function refuseAction(principal: Principal, privilege: Privilege, what: string): Promise<AppError> {
  await recordAudit(db(), {
    actor: principal.username,
    action: "access.refused",
    target: what,
    detail: { privilege },
  });
  return lacksPrivilege(privilege);
}
