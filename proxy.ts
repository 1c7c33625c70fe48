import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { withAuth } from "next-auth/middleware";
import { MAX_BODY_BYTES } from "@/lib/api/bounded-body";

/** Console pages need a session; the REST API answers 401 itself (it also takes bearer tokens). */
const signedInPage = withAuth({ pages: { signIn: "/signin" } });

/** Server actions post to these pages: a body declared over the limit is refused before any of it is read. */
export default function proxy(request: NextRequest, event: NextFetchEvent) {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    return NextResponse.json(
      { error_class: "payload_too_large", description: `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB; nothing was read past that.` },
      { status: 413 },
    );
  }
  return signedInPage(request as Parameters<typeof signedInPage>[0], event);
}

export const config = { matcher: ["/", "/copies/:path*", "/admin/:path*"] };
