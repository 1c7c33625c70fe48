import { ConsoleHeader } from "@/components/console-header";
import { ProblemNotice } from "@/components/problem-notice";
import { optionalSession } from "@/web/console-session";

export const metadata = { title: "Page not found · S3 Shift" };

export default async function NotFound() {
  const session = await optionalSession();
  return (
    <>
      {session && <ConsoleHeader {...session.header} />}
      <ProblemNotice code="404" title="This page does not exist">
        <p>The address may be mistyped, or the page may have moved.</p>
      </ProblemNotice>
    </>
  );
}
