// Finds the TypeScript compiler of the user's project. Syncline does not ship one: the check must
// use the version (and so the rules) the project builds with, exactly as its own `npx tsc` would.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A TypeScript install: its version and the `tsc` script to run with node. */
export interface TypeScriptInstall {
  version: string;
  tsc: string;
}

/**
 * The `typescript` package that `projectRoot` resolves (its own node_modules, then its parents',
 * as in a monorepo), or undefined when there is none.
 *
 * @example
 * const ts = findTypeScript("/home/me/app"); // { version: "5.9.3", tsc: ".../typescript/bin/tsc" }
 */
export function findTypeScript(projectRoot: string): TypeScriptInstall | undefined {
  // createRequire wants a file name; it need not exist, only its folder matters.
  const require = createRequire(join(projectRoot, "package.json"));
  let manifestPath: string;
  try {
    manifestPath = require.resolve("typescript/package.json");
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { version?: string; bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.tsc;
  if (bin === undefined) return undefined;
  return { version: manifest.version ?? "unknown", tsc: join(dirname(manifestPath), bin) };
}
