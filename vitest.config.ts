import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import the package by its public names; they resolve to the sources.
export const alias = {
  "syncline/testing/react": src("./src/testing/react/index.ts"),
  "syncline/testing": src("./src/testing/index.ts"),
  "syncline/values": src("./src/values/index.ts"),
  "syncline/server": src("./src/server/index.ts"),
  "syncline/react": src("./hooks/index.ts"),
  "syncline/tanstack": src("./src/tanstack/index.ts"),
  "syncline/devtools/dom": src("./src/devtools/index.ts"),
  "syncline/devtools": src("./hooks/devtools.tsx"),
  syncline: src("./src/index.ts"),
};

/**
 * Tests that exercise one engine's own mechanics (SQLite files, WAL flushes, the file lock) or no
 * engine at all: the "postgres" project skips them.
 */
const engineNeutralOnly = [
  "test/unit/db/durability.test.ts",
  "test/unit/db/crash.test.ts",
  "test/unit/db/keys.test.ts",
  "test/unit/db/vector-entries.test.ts",
  "test/unit/db/schema-install-reads.test.ts",
  "test/unit/db/database-location.test.ts",
  "test/integration/reliability/disk-full.test.ts",
  "test/integration/reliability/database-open-faults.test.ts",
  "test/integration/reliability/disk-full-tmpfs.test.ts",
];

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.{ts,tsx}", "test/conformance/**/*.test.ts", "playground/tests/**/*.test.{ts,tsx}"],
          // Postgres's own faults and the cluster of nodes on one Postgres, each on a temp cluster
          // of their own: run once, by the "postgres" project.
          exclude: ["test/integration/postgres/**", "test/integration/cluster/**"],
        },
      },
      {
        // The same database, integration and conformance tests on PostgreSQL: every test database
        // is a fresh one on a temp cluster started once for the run.
        extends: true,
        test: {
          name: "postgres",
          include: ["test/unit/db/**/*.test.ts", "test/integration/**/*.test.{ts,tsx}", "test/conformance/**/*.test.ts"],
          exclude: engineNeutralOnly,
          env: { SYNCLINE_TEST_ENGINE: "postgres" },
          globalSetup: ["test/helpers/postgres-global-setup.ts"],
        },
      },
    ],
  },
});
