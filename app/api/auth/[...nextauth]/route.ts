import { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { toErrorResponse } from "@/lib/api/handler";
import { readBoundedBody } from "@/lib/api/bounded-body";
import { authOptions } from "@/web/auth-options";

type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(request: NextRequest, context: Context): Promise<Response> {
  if (request.method !== "POST") return NextAuth(authOptions())(request, context);
  // next-auth reads a form body whole: hand it a copy read up to the service's limit.
  let body: Uint8Array;
  try {
    body = await readBoundedBody(request);
  } catch (error) {
    return toErrorResponse(error);
  }
  const bounded = new NextRequest(request.url, { method: "POST", headers: request.headers, body: body as BodyInit });
  return NextAuth(authOptions())(bounded, context);
}

export { handler as GET, handler as POST };
