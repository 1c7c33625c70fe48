import { withAuth } from "next-auth/middleware";

// Console pages need a session; the REST API answers 401 itself (it also takes bearer tokens).
export default withAuth({ pages: { signIn: "/signin" } });

export const config = { matcher: ["/", "/copies/:path*", "/admin/:path*"] };
