import { SignInForm } from "@/web/components/sign-in-form";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  return (
    <main className="mx-auto mt-24 max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="mb-6 text-xl font-semibold">Sign in to S3 Shift</h1>
      <SignInForm callbackUrl={safeCallback(callbackUrl)} initialError={error ? "Invalid username or password." : undefined} />
    </main>
  );
}

/** Only same-site paths: a sign-in link must not send people elsewhere. */
function safeCallback(url: string | undefined): string {
  if (!url) return "/copies";
  try {
    const parsed = new URL(url, "http://local");
    return parsed.origin === "http://local" || url.startsWith("http") ? parsed.pathname + parsed.search : "/copies";
  } catch {
    return "/copies";
  }
}
