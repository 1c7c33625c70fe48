import crypto from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { recordFailedSignIn, recordSignIn, type SignInChannel } from "./access-events";
import { beginSignInAttempt } from "./login-throttle";
import { verifyPassword } from "./password";
import type { Principal } from "./privileges";

export const loginInputSchema = z.object({
  // A control character is in no username, and PostgreSQL's text refuses NUL.
  username: z
    .string()
    .min(1)
    .max(256)
    .refine((name) => ![...name].some((c) => c < " " || c === "\u007f"), "must not contain control characters"),
  password: z.string().min(1).max(1024),
});

export type LoginInput = z.infer<typeof loginInputSchema>;

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

// Verifying against a real hash when the user is unknown keeps the response time from
// telling which usernames exist.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** A verified user, with the session generation that what is issued for it must carry. */
export type SignedInUser = Principal & { generation: number };

/**
 * The one check of a username and password, for bearer tokens and console sessions alike (both
 * throttled per username and client address).
 */
export async function verifyCredentials(
  { username, password }: LoginInput,
  clientAddress: string,
  via: SignInChannel,
): Promise<SignedInUser> {
  const attempt = await beginSignInAttempt(username, clientAddress);
  const user = await db().user.findUnique({
    where: { username },
    include: { role: { include: { privileges: true } } },
  });
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !valid || user.disabled) {
    await attempt.failed();
    await recordFailedSignIn(username, clientAddress, via);
    throw new AppError("UNAUTHENTICATED", "Invalid username or password.");
  }
  await attempt.succeeded();
  await recordSignIn(user.username, clientAddress, via);
  return {
    userId: user.id,
    username: user.username,
    privileges: new Set(user.role.privileges.map((p) => p.privilege)),
    generation: user.sessionGeneration,
  };
}

/** Checks the credentials and issues a bearer token, valid until it expires or the user's sessions end. */
export async function login(input: LoginInput, clientAddress: string): Promise<{ bearer_token: string }> {
  const principal = await verifyCredentials(input, clientAddress, "api");
  const token = crypto.randomBytes(32).toString("base64url");
  await db().apiToken.create({
    data: {
      tokenHash: hashToken(token),
      userId: principal.userId,
      generation: principal.generation,
      expiresAt: new Date(Date.now() + TOKEN_LIFETIME_MS),
    },
  });
  return { bearer_token: token };
}
