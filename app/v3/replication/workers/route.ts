import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { listWorkers } from "@/lib/replication/list-workers";

export const GET = apiRoute(PRIVILEGES.REPLICATION_READ, () => listWorkers());
