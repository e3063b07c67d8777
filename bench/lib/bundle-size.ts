// What an app pays to ship a part of Syncline: a minified browser bundle of an entry, gzipped.
// Shared by the client benchmark (which prints it next to the official client's) and the budget
// test (which keeps it from growing).

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * The typical app's import: the client, the provider and the three hooks, and `checkedApi`, which
 * every generated `api.ts` calls (it makes a misspelled `api.x.y` name the closest existing one).
 */
export const CLIENT_WITH_HOOKS =
  `export { SynclineClient, checkedApi } from "./src/index.ts"; ` +
  `export { SynclineProvider, useQuery, useMutation, useAction } from "./hooks/index.ts";`;
/** The framework-free client alone. */
export const CLIENT_ONLY = `export { SynclineClient } from "./src/index.ts";`;

/**
 * Gzipped size (bytes) of a minified browser bundle of `source`, resolved from the repository root.
 *
 * @example
 * await bundleSize(CLIENT_ONLY); // ~16,400
 */
export async function bundleSize(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL("../..", import.meta.url)), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    external: ["react", "react-dom"],
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}
