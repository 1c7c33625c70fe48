import { AppError } from "@/lib/errors";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { clientAddressOf } from "@/lib/auth/client-address";
import { verifyCredentials } from "@/lib/auth/login";
import { derivedKey } from "@/lib/secrets/secret-key";

const SESSION_SECONDS = 8 * 60 * 60;

/**
 * Console sign-in: the session (a JWT cookie) carries the privileges held at sign-in, so a role
 * change takes effect at the next sign-in.
 */
export function authOptions(): AuthOptions {
  return {
    secret: process.env.NEXTAUTH_SECRET ?? derivedKey("console-session"),
    session: { strategy: "jwt", maxAge: SESSION_SECONDS },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "S3 Shift",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          try {
            const input = { username: credentials?.username ?? "", password: credentials?.password ?? "" };
            const principal = await verifyCredentials(input, clientAddressOf(request?.headers));
            return { id: principal.userId, name: principal.username, privileges: [...principal.privileges] };
          } catch (error) {
            // A throttled name gets its own message; every other refusal stays the generic one.
            if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") throw new Error(error.message);
            return null;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.privileges = (user as { privileges?: string[] }).privileges ?? [];
        return token;
      },
      session({ session, token }) {
        return { ...session, userId: token.sub, privileges: (token.privileges as string[] | undefined) ?? [] };
      },
    },
  };
}
