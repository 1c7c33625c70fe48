import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { listRelationshipStatuses } from "@/lib/replication/get-relationship-status";

export const GET = apiRoute(PRIVILEGES.REPLICATION_READ, () => listRelationshipStatuses());
