import { defineConfig } from "vitest/config";

// Three tiers, as in @bacnet-js/client: fast unit tests, integration tests that start real
// processes over real UDP and SQLite, and browser tests in Debian's headless Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "apps/*/src/**/*.test.tsx"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["apps/*/test/integration/**/*.test.ts"],
          globalSetup: ["packages/test-support/src/packet-capture.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real UDP sockets and child processes on a 2-core machine: keep files from starving each other.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["apps/*/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
