import { defineConfig } from "@playwright/test";

// The console in Debian's Chromium (no browser download), against the built app that each
// spec starts with its own data directory, worker and S3 server.
export default defineConfig({
  testDir: "test/e2e",
  globalSetup: "./test/support/playwright-setup.ts",
  workers: 1,
  timeout: 90_000,
  reporter: [["list"], ["json", { outputFile: process.env.PLAYWRIGHT_JSON ?? "test-results/playwright.json" }]],
  outputDir: "test-results/artifacts",
  use: {
    browserName: "chromium",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
