import type { NextConfig } from "next";

/** Sent with every answer. */
const SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/**
 * For answers that are not pages (the API, next-auth's routes, the OpenAPI document): they run no
 * scripts. Pages get a policy with a per-response script nonce from the proxy (proxy.ts), which a
 * header set here would override.
 */
const NO_SCRIPTS = [
  {
    key: "Content-Security-Policy",
    value: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  },
];

/** API answers hold tokens and live state: never stored by a browser or a proxy. */
const NO_STORE = [{ key: "Cache-Control", value: "no-store" }];

const nextConfig: NextConfig = {
  // The REST API's paths end in "/" (POST /v3/replication/object-relationships/), and scripts
  // call them both ways: serve both instead of redirecting.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  experimental: {
    // The API's and next-auth's routes bound their bodies themselves (lib/api/bounded-body.ts);
    // these bound what server actions and the proxy read, at the same 64 KiB.
    serverActions: { bodySizeLimit: "64kb" },
    proxyClientMaxBodySize: "64kb",
  },
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/:prefix(v1|v3|api)/:path*", headers: NO_SCRIPTS },
      { source: "/openapi.json", headers: NO_SCRIPTS },
      { source: "/v1/:path*", headers: NO_STORE },
      { source: "/v3/:path*", headers: NO_STORE },
    ];
  },
};

export default nextConfig;
