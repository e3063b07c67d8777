import { defineConfig, type Options } from "tsup";

const library = {
  index: "src/index.ts",
  values: "src/values/index.ts",
  server: "src/server/index.ts",
  react: "hooks/index.ts",
  tanstack: "src/tanstack/index.ts",
  devtools: "hooks/devtools.tsx",
  "devtools/dom": "src/devtools/index.ts",
  // Functions tests (server side, no React) and component tests (React) are separate entries, so
  // a test of functions never needs React installed.
  testing: "src/testing/index.ts",
  "testing/react": "src/testing/react/index.ts",
};

const shared: Options = {
  sourcemap: true,
  target: "es2022",
  splitting: true,
  treeshake: true,
  dts: { entry: library },
  external: ["react", "react-dom", "better-sqlite3", "ws", "esbuild", "partysocket", "jose", "@tanstack/query-core"],
};

export default defineConfig([
  // The CLI is built with the ES modules, so it imports the server's chunks instead of carrying a
  // copy of its own. Its shebang is the first line of src/cli/main.ts.
  { ...shared, entry: { ...library, "cli/main": "src/cli/main.ts" }, format: ["esm"], clean: true },
  { ...shared, entry: library, format: ["cjs"] },
]);
