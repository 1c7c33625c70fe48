import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { withAuth } from "next-auth/middleware";
import { MAX_BODY_BYTES } from "@/lib/api/bounded-body";
import { contentSecurityPolicy, newNonce } from "@/web/content-security-policy";

const CONSOLE_PAGES = /^\/(?:$|copies(?:\/|$)|admin(?:\/|$))/;

/** Each page gets its own script nonce: in the request, where Next.js finds it, and in the answer. */
function withNonce(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce(), { development: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

/** Console pages need a session (next-auth passes its own sign-in page through untouched). */
const signedInPage = withAuth(withNonce, { pages: { signIn: "/signin" } });

/**
 * Every page (server actions post to pages): a body declared over the limit is refused before any
 * of it is read. The REST API and next-auth's routes are not matched: they answer 401 and bound
 * their bodies themselves.
 */
export default function proxy(request: NextRequest, event: NextFetchEvent) {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    return NextResponse.json(
      {
        error_class: "payload_too_large",
        description: `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB; nothing was read past that.`,
      },
      { status: 413 },
    );
  }
  if (!CONSOLE_PAGES.test(request.nextUrl.pathname)) return withNonce(request);
  return signedInPage(request as Parameters<typeof signedInPage>[0], event);
}

export const config = { matcher: ["/((?!api/|v1/|v3/|openapi\\.json|_next/static/|_next/image|favicon\\.ico).*)"] };
