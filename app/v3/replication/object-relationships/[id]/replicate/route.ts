import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { startObjectReplication } from "@/lib/replication/start-object-replication";

export const POST = apiRoute<{ id: string }>(PRIVILEGES.REPLICATION_WRITE, ({ params, principal }) =>
  startObjectReplication({ id: params.id, actor: principal }),
);
