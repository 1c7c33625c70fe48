import { redirect } from "next/navigation";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { ConsoleHeader } from "@/web/components/console-header";
import { Providers } from "@/web/components/providers";
import { RelationshipList } from "@/web/components/relationship-list";
import { currentPrincipal } from "@/web/session";

export const dynamic = "force-dynamic";

export default async function CopiesPage() {
  const principal = await currentPrincipal();
  if (!principal) redirect("/signin");
  const canWrite = hasPrivilege(principal, PRIVILEGES.REPLICATION_WRITE);
  return (
    <Providers>
      <ConsoleHeader username={principal.username} canWrite={canWrite} />
      <main className="mx-auto max-w-6xl px-6 py-8">
        <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600">
          Cluster › Copy to/from S3
        </nav>
        <h1 className="mb-6 text-2xl font-semibold">Copy to/from S3</h1>
        <RelationshipList />
      </main>
    </Providers>
  );
}
