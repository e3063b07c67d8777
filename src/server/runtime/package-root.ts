// Where this copy of Syncline lives, so user bundles import the very same code the server runs.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: { root: string; fromSource: boolean } | undefined;

/** The package root of this Syncline copy, and whether it runs from `src/` (tests) or `dist/`. */
export function synclinePackage(): { root: string; fromSource: boolean } {
  if (cached) return cached;
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "syncline") break;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Syncline's package.json above ${here}`);
    dir = parent;
  }
  cached = { root: dir, fromSource: here.startsWith(join(dir, "src")) };
  return cached;
}

/** Maps `syncline`, `syncline/values`, ... to files of this copy (source or built). */
export function synclineAliases(): Record<string, string> {
  const { root, fromSource } = synclinePackage();
  const entry = (source: string, built: string) => (fromSource ? join(root, "src", source) : join(root, "dist", built));
  return {
    syncline: entry("index.ts", "index.js"),
    "syncline/values": entry("values/index.ts", "values.js"),
    "syncline/server": entry("server/index.ts", "server.js"),
  };
}
