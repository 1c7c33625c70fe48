import { refuseAction } from "@/lib/auth/access-events";
import { authenticateToken } from "@/lib/auth/authenticate-token";
import { hasPrivilege, type Principal, type Privilege } from "@/lib/auth/privileges";
import { AppError } from "@/lib/errors";
import { checkDeclaredLength, readBoundedBody } from "./bounded-body";
import { checkCookieRequest } from "./cookie-request-guard";
import { errorResponse, jsonResponse } from "./respond";

export interface HandlerContext<P> {
  request: Request;
  principal: Principal;
  params: P;
}

type RouteContext<P> = { params: Promise<P> };

/** An extra way to find the caller (the console's session), tried when there is no bearer token. */
export type SessionResolver = (request: Request) => Promise<Principal | null>;

const signInFirst = () =>
  new AppError("UNAUTHENTICATED", "Sign in first: send a bearer token from POST /v1/session/login.");

/** The request's bearer token, undefined when it sends none; a malformed header is a 401. */
function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError("UNAUTHENTICATED", 'The Authorization header must be "Bearer <token>".');
  return match[1]!;
}

export function requireBearerToken(request: Request): string {
  const token = bearerToken(request);
  if (!token) throw signInFirst();
  return token;
}

async function authenticateRequest(request: Request, resolveSession: SessionResolver | undefined): Promise<Principal> {
  const token = bearerToken(request);
  if (token) return authenticateToken(token);
  const session = await resolveSession?.(request);
  if (session) {
    checkCookieRequest(request);
    return session;
  }
  throw signInFirst();
}

/**
 * Builds `apiRoute`, the shape of every API route: authenticate, check the one privilege the
 * route declares, run one domain function, and map its result or error. Unknown errors never
 * leak their details. Without `resolveSession`, only bearer tokens are accepted.
 */
export function createApiRoute({ resolveSession }: { resolveSession?: SessionResolver } = {}) {
  return function apiRoute<P = Record<string, never>>(
    privilege: Privilege | null,
    handler: (ctx: HandlerContext<P>) => Promise<unknown>,
    { status = 200 }: { status?: number } = {},
  ) {
    return async (request: Request, context: RouteContext<P>): Promise<Response> => {
      try {
        checkDeclaredLength(request);
        const principal = privilege ? await authenticateRequest(request, resolveSession) : anonymous;
        if (privilege && !hasPrivilege(principal, privilege)) {
          throw await refuseAction(principal, privilege, `${request.method} ${new URL(request.url).pathname}`);
        }
        const result = await handler({ request, principal, params: await context.params });
        if (result instanceof Response) return result;
        return result === undefined ? new Response(null, { status: 204 }) : jsonResponse(result, status);
      } catch (error) {
        return toErrorResponse(error);
      }
    };
  };
}

export function toErrorResponse(error: unknown): Response {
  if (error instanceof AppError) return errorResponse(error);
  console.error("unexpected error:", error instanceof Error ? `${error.name}: ${error.message}` : "unknown");
  return errorResponse(new AppError("INTERNAL", "An unexpected error occurred; the server log has the details."));
}

const anonymous: Principal = { userId: "", username: "anonymous", privileges: new Set() };

/** Reads a JSON body (64 KiB at most, else 413); anything that is not JSON is a 400. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = new TextDecoder().decode(await readBoundedBody(request));
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("VALIDATION", "body: the request body is not valid JSON.", { field: "body" });
  }
}
