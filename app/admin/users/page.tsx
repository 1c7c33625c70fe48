import { listRoles, listUsers } from "@/lib/auth/manage-users";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { ConsoleHeader } from "@/components/console-header";
import { LacksPrivilege } from "@/components/lacks-privilege";
import { UserAdmin } from "./user-admin";
import { requireSession } from "@/web/console-session";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const { principal, header } = await requireSession();
  const allowed = hasPrivilege(principal, PRIVILEGES.USER_ADMIN);
  const [users, roles] = allowed ? await Promise.all([listUsers(), listRoles()]) : [[], []];
  return (
    <>
      <ConsoleHeader {...header} />
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <h1 className="mb-6 text-2xl font-semibold">Users</h1>
        {allowed ? (
          <UserAdmin users={users} roles={roles} />
        ) : (
          <LacksPrivilege privilege={PRIVILEGES.USER_ADMIN} what="User administration" />
        )}
      </main>
    </>
  );
}
