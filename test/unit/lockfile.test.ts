// `npm ci` must work on a fresh clone on every OS. npm can write a lockfile that lacks the
// platform packages of other systems (`@rollup/rollup-darwin-arm64` on a Linux machine): the
// lockfile then installs here and fails on a Mac. The invariant that bug breaks: every optional
// dependency any locked package declares is itself locked, where Node would resolve it from.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface LockedPackage {
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(import.meta.dirname, process.env.LOCKFILE ?? "../../package-lock.json"), "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, LockedPackage>;
};

/** Where `name`, required from the package at `from`, is locked: its own node_modules, then each folder up. */
function resolvedPath(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
    if (candidate in lock.packages) return candidate;
    if (base === "") return undefined;
    const at = base.lastIndexOf("node_modules/");
    base = at <= 0 ? "" : base.slice(0, at - 1);
  }
}

describe("package-lock.json", () => {
  it("is a v3 lockfile (what npm ci of npm 9 and newer reads)", () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it("locks every optional dependency of every locked package, for every platform", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (resolvedPath(path, name) === undefined) missing.push(`${path || "(root)"} -> ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
