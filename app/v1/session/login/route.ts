import { readJsonBody } from "@/lib/api/handler";
import { apiRoute } from "@/web/api-route";
import { clientAddressOf } from "@/lib/auth/client-address";
import { login, loginInputSchema } from "@/lib/auth/login";
import { parseInput } from "@/lib/validation";

export const POST = apiRoute(null, async ({ request }) =>
  login(parseInput(loginInputSchema, await readJsonBody(request)), clientAddressOf(request.headers)),
);
