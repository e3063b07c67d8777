import { defineConfig } from "vitest/config";

// The package as published (`npm run test:package`): no aliases to the sources here, the test
// packs and installs the package and runs it from a project of its own.
export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    // npm pack, once for every file.
    globalSetup: ["test/package/pack.ts"],
    testTimeout: 120_000,
    // npm install (which compiles better-sqlite3).
    hookTimeout: 360_000,
  },
});
