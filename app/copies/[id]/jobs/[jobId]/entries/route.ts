import { downloadResponse } from "@/lib/api/respond";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { jobEntriesDownload } from "@/lib/replication/job-entries";
import { apiRoute } from "@/web/api-route";

/** A job's failed and skipped entries as CSV, for the job page's Download link. */
export const GET = apiRoute<{ id: string; jobId: string }>(PRIVILEGES.REPLICATION_READ, async ({ params }) =>
  downloadResponse(await jobEntriesDownload(params)),
);
