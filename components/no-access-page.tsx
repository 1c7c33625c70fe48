import { ConsoleHeader } from "./console-header";
import { LacksPrivilege } from "./lacks-privilege";

/** A whole page for a signed-in user whose role lacks what the page shows. */
export function NoAccessPage({
  header,
  privilege,
  what,
}: {
  header: Parameters<typeof ConsoleHeader>[0];
  privilege: string;
  what: string;
}) {
  return (
    <>
      <ConsoleHeader {...header} />
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <LacksPrivilege privilege={privilege} what={what} />
      </main>
    </>
  );
}
