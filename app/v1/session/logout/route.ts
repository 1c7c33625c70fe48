import { requireBearerToken } from "@/lib/api/handler";
import { revokeToken } from "@/lib/auth/revoke-token";
import { apiRoute } from "@/web/api-route";

export const POST = apiRoute(null, async ({ request }) => revokeToken({ token: requireBearerToken(request) }));
