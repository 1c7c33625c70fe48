import { AppError } from "@/lib/errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The host the request was sent to, as the browser saw it. */
function requestHost(request: Request): string {
  return request.headers.get("host") ?? new URL(request.url).host;
}

function isSameOrigin(request: Request): boolean {
  // Sec-Fetch-Site is set by the browser and cannot be forged by a page; Origin covers older browsers.
  const site = request.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  try {
    return new URL(origin).host === requestHost(request);
  } catch {
    return false;
  }
}

function isJson(request: Request): boolean {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}

/**
 * A browser attaches the console's cookie to requests other pages make, so a request the cookie
 * authenticates must come from the console's own origin, and a change must be sent as JSON, which
 * another page cannot send without a CORS preflight this server never grants. Bearer tokens are
 * not sent by browsers on their own and need none of this.
 */
export function checkCookieRequest(request: Request): void {
  if (!isSameOrigin(request)) {
    throw new AppError("FORBIDDEN", "Requests signed in with the console's session must come from the console's own pages; scripts send a bearer token from POST /v1/session/login.");
  }
  if (!SAFE_METHODS.has(request.method.toUpperCase()) && !isJson(request)) {
    throw new AppError("FORBIDDEN", "Requests signed in with the console's session must send their body as Content-Type: application/json.");
  }
}
