import { readJsonBody } from "@/lib/api/handler";
import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { deleteObjectRelationship } from "@/lib/replication/delete-object-relationship";
import { getObjectRelationship } from "@/lib/replication/list-object-relationships";
import { modifyObjectRelationship } from "@/lib/replication/modify-object-relationship";

type Params = { id: string };

export const GET = apiRoute<Params>(PRIVILEGES.REPLICATION_READ, ({ params }) => getObjectRelationship(params));

export const DELETE = apiRoute<Params>(PRIVILEGES.REPLICATION_WRITE, ({ params, principal }) =>
  deleteObjectRelationship({ id: params.id, actor: principal }),
);

export const PATCH = apiRoute<Params>(PRIVILEGES.REPLICATION_WRITE, async ({ request, params, principal }) =>
  modifyObjectRelationship({ id: params.id, input: await readJsonBody(request), actor: principal }),
);
