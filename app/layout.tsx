import type { ReactNode } from "react";
import "./globals.css";

// Every page is rendered per request so its scripts carry that response's CSP nonce.
export const dynamic = "force-dynamic";

export const metadata = { title: "S3 Shift", description: "Copy directory trees between this server and S3 buckets" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
