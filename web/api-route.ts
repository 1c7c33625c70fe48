import { createApiRoute } from "@/lib/api/handler";
import { currentPrincipal } from "./session";

/** The REST API's route builder: it accepts the console's session as well as bearer tokens. */
export const apiRoute = createApiRoute({ resolveSession: () => currentPrincipal() });
