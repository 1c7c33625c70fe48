"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";

export function ConsoleHeader({
  username,
  canWrite,
  isAdmin = false,
  wide = false,
}: {
  username: string;
  canWrite: boolean;
  isAdmin?: boolean;
  /** For a page whose content is max-w-7xl (the list): the header lines up with it. */
  wide?: boolean;
}) {
  const pathname = usePathname();
  const links = [
    { href: "/copies", label: "Copy to/from S3" },
    { href: "/workers", label: "Workers" },
    ...(isAdmin
      ? [
          { href: "/admin/users", label: "Users" },
          { href: "/admin/audit", label: "Audit trail" },
        ]
      : []),
  ];
  const who = `${username}${canWrite ? "" : " (read only)"}`;
  // On a phone the links take a row of their own under the name and the account, so nothing collides.
  return (
    <header className="border-b border-slate-200 bg-white">
      <div
        className={`mx-auto flex ${wide ? "max-w-7xl" : "max-w-6xl"} flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6`}
      >
        <span className="text-lg font-semibold whitespace-nowrap">S3 Shift</span>
        <nav aria-label="Main" className="order-last w-full sm:order-none sm:w-auto">
          <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
            {links.map(({ href, label }) => {
              const current = pathname === href || pathname.startsWith(`${href}/`);
              return (
                <li key={href}>
                  <Link
                    href={href}
                    aria-current={current ? "page" : undefined}
                    className={`whitespace-nowrap hover:underline ${current ? "font-semibold underline underline-offset-4" : ""}`}
                  >
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="ml-auto flex min-w-0 items-center gap-3 text-sm">
          <span className="max-w-[12rem] truncate" title={who}>
            {who}
          </span>
          <button
            onClick={() => signOut({ callbackUrl: "/signin" })}
            className="shrink-0 rounded border border-slate-300 px-3 py-1 whitespace-nowrap hover:bg-slate-100"
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
