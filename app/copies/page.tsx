import Link from "next/link";
import { Breadcrumb } from "@/components/breadcrumb";
import { ConsoleHeader } from "@/components/console-header";
import { Providers } from "@/components/providers";
import { RelationshipList } from "./relationship-list";
import { hasPrivilege, PRIVILEGES } from "@/lib/auth/privileges";
import { NoAccessPage } from "@/components/no-access-page";
import { requireSession } from "@/web/console-session";

export const dynamic = "force-dynamic";

export default async function CopiesPage() {
  const { principal, header } = await requireSession();
  if (!hasPrivilege(principal, PRIVILEGES.REPLICATION_READ))
    return (
      <NoAccessPage
        header={header}
        title="Copy to/from S3"
        privilege={PRIVILEGES.REPLICATION_READ}
        what="The list of copies"
      />
    );
  const { canWrite } = header;
  return (
    <Providers>
      <ConsoleHeader {...header} wide />
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        <Breadcrumb trail={[{ label: "Copy to/from S3" }]} />
        <div className="mb-6 flex flex-wrap items-center justify-between gap-3">
          <h1 className="text-2xl font-semibold">Copy to/from S3</h1>
          {canWrite && (
            <Link
              href="/copies/new"
              className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800"
            >
              Create Copy
            </Link>
          )}
        </div>
        <RelationshipList canWrite={canWrite} />
      </main>
    </Providers>
  );
}
