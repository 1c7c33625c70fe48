import type { ReactNode } from "react";

export const metadata = { title: "S3 Shift", description: "Copy directory trees between this server and S3 buckets" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
