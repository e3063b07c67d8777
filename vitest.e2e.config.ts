import { defineConfig } from "vitest/config";
import { alias } from "./vitest.config.js";

// Browser tests: real headless Chromium (Debian's package) driven by playwright-core.
export default defineConfig({
  resolve: { alias },
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
