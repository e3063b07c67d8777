import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: {
      index: "src/index.ts",
      values: "src/values/index.ts",
      server: "src/server/index.ts",
      react: "hooks/index.ts",
      tanstack: "src/tanstack/index.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "es2022",
    splitting: true,
    treeshake: true,
    external: ["react", "react-dom", "better-sqlite3", "ws", "esbuild", "partysocket", "jose", "@tanstack/query-core"],
  },
  {
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    sourcemap: true,
    banner: { js: "#!/usr/bin/env node" },
    external: ["better-sqlite3", "ws", "esbuild"],
  },
]);
