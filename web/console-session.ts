import { redirect } from "next/navigation";
import { hasPrivilege, PRIVILEGES, type Principal } from "@/lib/auth/privileges";
import { currentPrincipal } from "./session";

export interface ConsoleSession {
  principal: Principal;
  header: { username: string; canWrite: boolean; isAdmin: boolean };
}

/** Every console page starts here: no session, back to sign-in. */
export async function requireSession(): Promise<ConsoleSession> {
  const session = await optionalSession();
  if (!session) redirect("/signin");
  return session;
}

/** For pages anyone may reach (not found, errors): the console's header when signed in. */
export async function optionalSession(): Promise<ConsoleSession | undefined> {
  const principal = await currentPrincipal();
  if (!principal) return undefined;
  return {
    principal,
    header: {
      username: principal.username,
      canWrite: hasPrivilege(principal, PRIVILEGES.REPLICATION_WRITE),
      isAdmin: hasPrivilege(principal, PRIVILEGES.USER_ADMIN),
    },
  };
}
