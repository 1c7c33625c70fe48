import { ConsoleHeader } from "./console-header";
import { LacksPrivilege } from "./lacks-privilege";

/** A whole page for a signed-in user whose role lacks what the page shows. */
export function NoAccessPage({
  header,
  title,
  privilege,
  what,
}: {
  header: Parameters<typeof ConsoleHeader>[0];
  title: string;
  privilege: string;
  what: string;
}) {
  return (
    <>
      <ConsoleHeader {...header} />
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <h1 className="mb-6 text-2xl font-semibold">{title}</h1>
        <LacksPrivilege privilege={privilege} what={what} />
      </main>
    </>
  );
}
