import Link from "next/link";
import { redirect } from "next/navigation";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { ConsoleHeader } from "@/web/components/console-header";
import { CreateCopyForm } from "@/web/components/create-copy-form";
import { currentPrincipal } from "@/web/session";

export const dynamic = "force-dynamic";

export default async function NewCopyPage() {
  const principal = await currentPrincipal();
  if (!principal) redirect("/signin");
  const canWrite = hasPrivilege(principal, PRIVILEGES.REPLICATION_WRITE);
  return (
    <>
      <ConsoleHeader username={principal.username} canWrite={canWrite} />
      <main className="mx-auto max-w-6xl px-6 py-8">
        <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600">
          Cluster › <Link href="/copies" className="underline">Copy to/from S3</Link> › Create Copy
        </nav>
        <h1 className="mb-6 text-2xl font-semibold">Create Copy</h1>
        {canWrite ? (
          <CreateCopyForm />
        ) : (
          <p role="alert">You lack the {PRIVILEGES.REPLICATION_WRITE} privilege, which creating a copy needs. Ask an administrator.</p>
        )}
      </main>
    </>
  );
}
