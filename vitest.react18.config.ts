import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { alias } from "./vitest.config.js";

// The React tests once more, on React 18. test/react18 holds React 18 (`npm run test:react18`
// installs it); every import of react and react-dom - ours, Testing Library's, TanStack's - is
// pointed there, and those libraries are inlined so the aliases reach their imports too.
const root = (path: string) => fileURLToPath(new URL(`./${path}`, import.meta.url));
const react18 = (path: string) => fileURLToPath(new URL(`./test/react18/node_modules/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^react$/, replacement: react18("react/index.js") },
      { find: /^react\/jsx-runtime$/, replacement: react18("react/jsx-runtime.js") },
      { find: /^react\/jsx-dev-runtime$/, replacement: react18("react/jsx-dev-runtime.js") },
      { find: /^react-dom$/, replacement: react18("react-dom/index.js") },
      { find: /^react-dom\/client$/, replacement: react18("react-dom/client.js") },
      { find: /^react-dom\/server$/, replacement: react18("react-dom/server.node.js") },
      { find: /^react-dom\/test-utils$/, replacement: react18("react-dom/test-utils.js") },
      // Testing Library's CommonJS build would require React 19's react-dom; its ES build is
      // processed by Vite, so the aliases above apply to it.
      { find: /^@testing-library\/react$/, replacement: root("node_modules/@testing-library/react/dist/@testing-library/react.esm.js") },
      ...Object.entries(alias).map(([find, replacement]) => ({ find: new RegExp(`^${find}$`), replacement })),
    ],
  },
  test: {
    include: ["test/integration/react/**/*.test.tsx", "test/integration/tanstack/**/*.test.tsx"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The official client too (its React binding, in the conformance tests of the hooks).
    server: { deps: { inline: ["@testing-library/react", "@tanstack/react-query", "convex"] } },
  },
});
