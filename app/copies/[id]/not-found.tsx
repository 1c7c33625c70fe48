import { ConsoleHeader } from "@/components/console-header";
import { ProblemNotice } from "@/components/problem-notice";
import { optionalSession } from "@/web/console-session";

export default async function CopyNotFound() {
  const session = await optionalSession();
  return (
    <>
      {session && <ConsoleHeader {...session.header} />}
      <ProblemNotice code="404" title="No such copy">
        <p>
          No copy has this address. It may have been deleted, or the link may be incomplete; the list shows every copy
          there is.
        </p>
      </ProblemNotice>
    </>
  );
}
