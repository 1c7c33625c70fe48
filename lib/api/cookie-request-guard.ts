import { AppError } from "@/lib/errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a browser sent this request from a page of this origin. Sec-Fetch-Site is set by the
 * browser and cannot be forged by a page; Origin (compared with the Host the request was sent to)
 * covers browsers without it. A request with neither is not taken as same-origin.
 */
export function isSameOrigin(headers: Headers, fallbackHost?: string, method = "POST"): boolean {
  const site = headers.get("sec-fetch-site");
  // "none": the user opened the address (typed, bookmarked); no page can make a request say so.
  if (site) return site === "same-origin" || (site === "none" && SAFE_METHODS.has(method.toUpperCase()));
  const origin = headers.get("origin");
  const host = headers.get("host") ?? fallbackHost;
  if (!origin || origin === "null" || !host) return false;
  try {
    return new URL(origin).host === host;
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
  if (!isSameOrigin(request.headers, new URL(request.url).host, request.method)) {
    throw new AppError(
      "FORBIDDEN",
      "Requests signed in with the console's session must come from the console's own pages; scripts send a bearer token from POST /v1/session/login.",
    );
  }
  if (!SAFE_METHODS.has(request.method.toUpperCase()) && !isJson(request)) {
    throw new AppError(
      "FORBIDDEN",
      "Requests signed in with the console's session must send their body as Content-Type: application/json.",
    );
  }
}
