import type { AppServer } from "./app-server";

export const SESSION_COOKIE = "next-auth.session-token";

/** Signs in through next-auth's credentials route, as the console's form does; returns the session cookie's value. */
export async function consoleSignIn(app: AppServer, username: string, password: string): Promise<string> {
  const csrf = await fetch(`${app.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const reply = await fetch(`${app.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, username, password, json: "true" }),
  });
  const session = cookieValue(reply, SESSION_COOKIE);
  if (!session) throw new Error(`console sign-in failed (${reply.status}): ${await reply.text()}`);
  return session;
}

/** The value a response sets for a cookie, or undefined. */
export function cookieValue(response: Response, name: string): string | undefined {
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const at = pair!.indexOf("=");
    if (pair!.slice(0, at) === name) return pair!.slice(at + 1);
  }
  return undefined;
}

/** A same-origin request from the console's pages, carrying the session cookie. */
export function withCookie(session: string, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: {
      ...(init.headers as Record<string, string>),
      cookie: `${SESSION_COOKIE}=${session}`,
      "sec-fetch-site": "same-origin",
    },
  };
}
