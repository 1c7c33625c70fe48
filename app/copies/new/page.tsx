import { PRIVILEGES } from "@/lib/auth/privileges";
import { Breadcrumb } from "@/components/breadcrumb";
import { ConsoleHeader } from "@/components/console-header";
import { CreateCopyForm } from "./create-copy-form";
import { LacksPrivilege } from "@/components/lacks-privilege";
import { requireSession } from "@/web/console-session";

export const dynamic = "force-dynamic";

export default async function NewCopyPage() {
  const { header } = await requireSession();
  const { canWrite } = header;
  return (
    <>
      <ConsoleHeader {...header} />
      <main className="mx-auto max-w-6xl px-6 py-8">
        <Breadcrumb trail={[{ label: "Copy to/from S3", href: "/copies" }, { label: "Create Copy" }]} />
        <h1 className="mb-6 text-2xl font-semibold">Create Copy</h1>
        {canWrite ? (
          <CreateCopyForm />
        ) : (
          <LacksPrivilege privilege={PRIVILEGES.REPLICATION_WRITE} what="Creating a copy" />
        )}
      </main>
    </>
  );
}
