import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The playground uses Syncline's sources directly, so a change in the library shows at once.
export default defineConfig({
  root: src("."),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^syncline\/react$/, replacement: src("../hooks/index.ts") },
      { find: /^syncline\/devtools$/, replacement: src("../hooks/devtools.tsx") },
      { find: /^syncline\/values$/, replacement: src("../src/values/index.ts") },
      { find: /^syncline$/, replacement: src("../src/index.ts") },
    ],
  },
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  build: { outDir: src("../.syncline/playground-dist"), emptyOutDir: true },
});
