import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The REST API's paths end in "/" (POST /v3/replication/object-relationships/), and scripts
  // call them both ways: serve both instead of redirecting.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
};

export default nextConfig;
