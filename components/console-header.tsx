"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";

export function ConsoleHeader({
  username,
  canWrite,
  isAdmin = false,
}: {
  username: string;
  canWrite: boolean;
  isAdmin?: boolean;
}) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3">
        <nav aria-label="Main" className="flex items-center gap-6 text-sm">
          <span className="text-lg font-semibold">S3 Shift</span>
          <Link href="/copies" className="hover:underline">
            Copy to/from S3
          </Link>
          {isAdmin && (
            <>
              <Link href="/admin/users" className="hover:underline">
                Users
              </Link>
              <Link href="/admin/audit" className="hover:underline">
                Audit trail
              </Link>
            </>
          )}
        </nav>
        <div className="flex items-center gap-4 text-sm">
          <span>
            {username} {canWrite ? "" : "(read only)"}
          </span>
          <button
            onClick={() => signOut({ callbackUrl: "/signin" })}
            className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100"
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
