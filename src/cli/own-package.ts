// The installed syncline package the CLI runs from: its folder (the templates live there) and its
// version (what `syncline init` writes into a new project's dependencies).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface OwnPackage {
  /** The folder holding syncline's package.json. */
  root: string;
  version: string;
}

/**
 * Finds syncline's own package.json above this module. It walks up instead of using a fixed
 * `../..` because the module lies at different depths: src/cli/ in the repository, a chunk or
 * dist/cli/ once bundled.
 *
 * @example
 * const { root, version } = ownPackage(); // { root: "/app/node_modules/syncline", version: "0.1.0" }
 */
export function ownPackage(from: string = fileURLToPath(import.meta.url)): OwnPackage {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (name === "syncline" && version !== undefined) return { root: dir, version };
    }
    if (dirname(dir) === dir) throw new Error(`syncline's package.json was not found above ${from}`);
  }
}
