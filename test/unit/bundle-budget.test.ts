// The client's size budget. What a React app ships for Syncline (client, provider and the three
// hooks, minified and gzipped) was accepted at about 0.85x of the official `convex/react`, with
// partysocket, auth and optimistic updates inside. This test keeps it from growing unnoticed: a
// feature that needs more bytes must say so here, with its reason, in the same change.

import { describe, expect, it } from "vitest";
import { bundleSize, CLIENT_ONLY, CLIENT_WITH_HOOKS } from "../../bench/lib/bundle-size.js";

/**
 * Bytes, min+gzip. History: 17,296 with the reconnect bounds option; +164 for the devtools' event
 * tap (`inspectClient` itself is only in apps that call it); +621 for the generated api's
 * did-you-mean check (`checkedApi`, counted here since 18,119). A little room for fixes.
 */
const CLIENT_WITH_HOOKS_BUDGET = 18_300;
/** Bytes, min+gzip. Measured 16,477, then 16,677 with the devtools' event tap. */
const CLIENT_ONLY_BUDGET = 16_800;

describe("the client's bundle budget", () => {
  it("client + provider + useQuery/useMutation/useAction stays within budget", async () => {
    expect(await bundleSize(CLIENT_WITH_HOOKS)).toBeLessThanOrEqual(CLIENT_WITH_HOOKS_BUDGET);
  });

  it("the framework-free client stays within budget", async () => {
    expect(await bundleSize(CLIENT_ONLY)).toBeLessThanOrEqual(CLIENT_ONLY_BUDGET);
  });

  it("never contains server code, the Postgres driver or the devtools panel", async () => {
    const { build } = await import("esbuild");
    const result = await build({
      stdin: { contents: CLIENT_WITH_HOOKS, resolveDir: new URL("../..", import.meta.url).pathname, loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "browser",
      external: ["react", "react-dom"],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /src\/(server|cli|codegen|testing)\/|devtools|node_modules\/(pg|postgres|better-sqlite3|esbuild)\//.test(path))).toEqual([]);
  });
});
