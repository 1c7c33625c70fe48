import { AppError } from "@/lib/errors";
import type { AuthOptions } from "next-auth";
import { encode, type JWT } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import { clientAddressOf } from "@/lib/auth/client-address";
import {
  CONSOLE_SESSION_SECONDS,
  consoleSessionUser,
  nowSeconds,
  sessionSecondsLeft,
  type ConsoleSessionClaims,
} from "@/lib/auth/console-session";
import { verifyCredentials } from "@/lib/auth/login";
import { signOutSession } from "@/lib/auth/sign-out-session";
import { derivedKey } from "@/lib/secrets/secret-key";

/** Thrown from a callback to make next-auth drop the cookie of a session that is over. */
class SessionEnded extends Error {}

function claimsOf(token: JWT): ConsoleSessionClaims | null {
  const { sub, gen, signedInAt } = token as JWT & { gen?: unknown; signedInAt?: unknown };
  if (typeof sub !== "string" || typeof gen !== "number" || typeof signedInAt !== "number") return null;
  return { userId: sub, generation: gen, signedInAt };
}

/**
 * Console sign-in. The session (a JWT cookie) holds only who signed in, when, and under which of
 * the user's session generations; privileges are read from the database at every request, and
 * the session ends 8 h after sign-in (the token's expiry is not moved on by use).
 */
export function authOptions(): AuthOptions {
  return {
    secret: process.env.NEXTAUTH_SECRET ?? derivedKey("console-session"),
    session: { strategy: "jwt", maxAge: CONSOLE_SESSION_SECONDS },
    jwt: {
      // next-auth re-issues the token on every session read with a full maxAge; keep it absolute.
      encode: (params) =>
        encode({
          ...params,
          maxAge: Math.max(1, sessionSecondsLeft({ signedInAt: Number(params.token?.signedInAt ?? 0) })),
        }),
    },
    pages: { signIn: "/signin" },
    logger: {
      error(code, metadata) {
        if (metadata instanceof SessionEnded || (metadata as { error?: unknown })?.error instanceof SessionEnded)
          return;
        console.error(`next-auth: ${code}`, metadata instanceof Error ? metadata.message : "");
      },
    },
    providers: [
      CredentialsProvider({
        name: "S3 Shift",
        credentials: {
          username: { label: "Username", type: "text" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, request) {
          try {
            const input = { username: credentials?.username ?? "", password: credentials?.password ?? "" };
            const user = await verifyCredentials(input, clientAddressOf(request?.headers), "console");
            return { id: user.userId, name: user.username, generation: user.generation };
          } catch (error) {
            // A throttled name gets its own message; every other refusal stays the generic one.
            if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS")
              throw new Error(error.message, { cause: error });
            return null;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user)
          return {
            sub: user.id,
            name: user.name,
            gen: (user as { generation?: number }).generation ?? -1,
            signedInAt: nowSeconds(),
          };
        return token;
      },
      async session({ token }) {
        const claims = claimsOf(token);
        const principal = claims ? await consoleSessionUser(claims) : null;
        if (!claims || !principal) throw new SessionEnded("the console session is over");
        return {
          user: { name: principal.username },
          expires: new Date((claims.signedInAt + CONSOLE_SESSION_SECONDS) * 1000).toISOString(),
          userId: principal.userId,
          privileges: [...principal.privileges],
        };
      },
    },
    events: {
      async signOut({ token }) {
        const claims = token ? claimsOf(token) : null;
        if (claims) await signOutSession({ userId: claims.userId, generation: claims.generation });
      },
    },
  };
}
