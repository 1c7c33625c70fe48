import { headers } from "next/headers";
import { SignInForm } from "./sign-in-form";
import { safeCallback } from "@/web/safe-callback";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  const { callbackUrl, error } = await searchParams;
  const host = (await headers()).get("host");
  const siteOrigin = process.env.NEXTAUTH_URL ?? (host ? `http://${host}` : undefined);
  return (
    <main className="mx-4 mt-16 rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:mx-auto sm:mt-24 sm:max-w-sm sm:p-8">
      <h1 className="mb-6 text-xl font-semibold">Sign in to S3 Shift</h1>
      <SignInForm
        callbackUrl={safeCallback(callbackUrl, siteOrigin)}
        initialError={error ? "Invalid username or password." : undefined}
      />
    </main>
  );
}
