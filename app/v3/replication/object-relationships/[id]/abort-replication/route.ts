import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { abortObjectReplication } from "@/lib/replication/abort-object-replication";

export const POST = apiRoute<{ id: string }>(PRIVILEGES.REPLICATION_WRITE, ({ params, principal }) =>
  abortObjectReplication({ id: params.id, actor: principal }),
);
