import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { getRelationshipStatus } from "@/lib/replication/get-relationship-status";

export const GET = apiRoute<{ id: string }>(PRIVILEGES.REPLICATION_READ, ({ params }) => getRelationshipStatus(params));
