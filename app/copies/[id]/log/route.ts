import { downloadResponse } from "@/lib/api/respond";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { relationshipLogDownload } from "@/lib/replication/replication-log";
import { apiRoute } from "@/web/api-route";

/** The copy's whole replication log, for the console's Download link (the console's cookie, or a token). */
export const GET = apiRoute<{ id: string }>(PRIVILEGES.REPLICATION_READ, async ({ params }) =>
  downloadResponse(await relationshipLogDownload(params)),
);
