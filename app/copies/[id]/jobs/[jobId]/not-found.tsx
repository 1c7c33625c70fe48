import { ConsoleHeader } from "@/components/console-header";
import { ProblemNotice } from "@/components/problem-notice";
import { optionalSession } from "@/web/console-session";

export default async function JobNotFound() {
  const session = await optionalSession();
  return (
    <>
      {session && <ConsoleHeader {...session.header} />}
      <ProblemNotice code="404" title="No such job">
        <p>
          This copy has no job at this address. The copy may have been deleted with its history, or the link may be
          incomplete; the copy&apos;s details list its jobs.
        </p>
      </ProblemNotice>
    </>
  );
}
