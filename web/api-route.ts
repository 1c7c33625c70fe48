import { apiRoute, setSessionResolver } from "@/lib/api/handler";
import { currentPrincipal } from "./session";

// The REST API accepts the console's session as well as bearer tokens.
setSessionResolver(() => currentPrincipal());

export { apiRoute };
