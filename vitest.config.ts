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

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.{ts,tsx}", "test/conformance/**/*.test.ts", "playground/tests/**/*.test.{ts,tsx}"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
