import { readJsonBody } from "@/lib/api/handler";
import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { createObjectRelationship } from "@/lib/replication/create-object-relationship";
import { listObjectRelationships } from "@/lib/replication/list-object-relationships";

export const GET = apiRoute(PRIVILEGES.REPLICATION_READ, () => listObjectRelationships());

export const POST = apiRoute(
  PRIVILEGES.REPLICATION_WRITE,
  async ({ request, principal }) => createObjectRelationship({ input: await readJsonBody(request), actor: principal }),
  { status: 201 },
);
