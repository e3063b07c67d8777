import { defineConfig } from "vitest/config";

// The package as published (`npm run test:package`): no aliases to the sources here, the test
// packs and installs the package and runs it from a project of its own.
export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    testTimeout: 120_000,
    // npm pack (which builds) and npm install (which compiles better-sqlite3).
    hookTimeout: 360_000,
  },
});
