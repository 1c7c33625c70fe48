import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/support/global-setup.ts"],
    // Every test store (s3rver, Ceph, proxies) listens on loopback, which object stores may reach
    // only when allowed; the tests of that refusal narrow or remove the list themselves.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", SHIFT_ALLOWED_ENDPOINTS: "127.0.0.0/8,::1" },
  },
});
