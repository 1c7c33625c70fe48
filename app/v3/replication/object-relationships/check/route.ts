import { readJsonBody } from "@/lib/api/handler";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { checkObjectRelationship } from "@/lib/replication/check-object-relationship";
import { apiRoute } from "@/web/api-route";

// WRITE, like create: the check connects to the store with the credentials it is given.
export const POST = apiRoute(PRIVILEGES.REPLICATION_WRITE, async ({ request }) => {
  const { warnings } = await checkObjectRelationship(await readJsonBody(request));
  return { ok: true, warnings };
});
