"use client";

import { signIn } from "next-auth/react";
import { useRef, useState, type FormEvent } from "react";

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  const password = useRef<HTMLInputElement>(null);

  // A submit handler, not a form action: React resets a form after its action, and a wrong
  // password must not cost the user the username they typed.
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const result = await signIn("credentials", {
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setBusy(false);
    if (result && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setError(result?.error?.startsWith("Too many failed sign-ins") ? result.error : "Invalid username or password.");
    if (password.current) {
      password.current.value = "";
      password.current.focus();
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4">
      <label className="flex flex-col gap-1 text-sm font-medium">
        Username
        <input
          name="username"
          autoComplete="username"
          required
          className="rounded border border-slate-300 px-3 py-2 font-normal"
        />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Password
        <input
          ref={password}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "sign-in-error" : undefined}
          className="rounded border border-slate-300 px-3 py-2 font-normal"
        />
      </label>
      {error && (
        <p id="sign-in-error" role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <button
        type="submit"
        disabled={busy}
        className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
      >
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
