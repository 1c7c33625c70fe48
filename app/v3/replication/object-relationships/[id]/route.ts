import { apiRoute } from "@/web/api-route";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { deleteObjectRelationship } from "@/lib/replication/delete-object-relationship";
import { getObjectRelationship } from "@/lib/replication/list-object-relationships";

type Params = { id: string };

export const GET = apiRoute<Params>(PRIVILEGES.REPLICATION_READ, ({ params }) => getObjectRelationship(params));

export const DELETE = apiRoute<Params>(PRIVILEGES.REPLICATION_WRITE, ({ params, principal }) =>
  deleteObjectRelationship({ id: params.id, actor: principal }),
);
