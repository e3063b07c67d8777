// Which compiler settings check the functions folder. The functions' own tsconfig wins (it is
// written for them); else the project's, narrowed to the functions folder; else strict defaults
// under which the generated `_generated/` code checks.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The tsconfig to pass to `tsc -p`, and where it came from (for messages). */
export interface ChosenTsconfig {
  file: string;
  source: "functions" | "project" | "defaults";
}

// Settings for a project without any tsconfig: what `syncline dev` itself bundles for (ES modules
// through esbuild, Node 20+), strict because catching mistakes is the point. DOM.Iterable because
// functions use fetch/Headers/URLSearchParams, which they iterate.
export const DEFAULT_OPTIONS = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: "ES2022",
  lib: ["ES2023", "DOM", "DOM.Iterable"],
  module: "ESNext",
  moduleResolution: "Bundler",
  jsx: "react-jsx",
  isolatedModules: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  allowImportingTsExtensions: true,
  // Plain .js modules are served too: TypeScript must resolve imports of them, not check them.
  allowJs: true,
  checkJs: false,
};

// Over the project's own tsconfig: only the functions folder (the project's config usually
// describes the app - `include: ["src"]`, or a solution file with `files: []` - and checking the
// app is slow and not ours to report), and nothing that conflicts with `--noEmit`, demands that
// every imported file be listed (composite) or lie under the app's `rootDir` (checked even without
// emitting; null unsets an inherited option).
const PROJECT_OVERRIDES = { noEmit: true, composite: false, emitDeclarationOnly: false, declarationMap: false, rootDir: null };

/**
 * Picks the tsconfig for checking `dir`, writing a generated one into `stateDir` when the
 * project has none of its own for the functions.
 *
 * @example
 * chooseTsconfig("/app/syncline", "/app/.syncline/typecheck"); // { file: "/app/syncline/tsconfig.json", source: "functions" }
 */
export function chooseTsconfig(dir: string, stateDir: string): ChosenTsconfig {
  const own = join(dir, "tsconfig.json");
  if (existsSync(own)) return { file: own, source: "functions" };
  const project = join(dirname(dir), "tsconfig.json");
  const config = existsSync(project)
    ? { extends: project, compilerOptions: PROJECT_OVERRIDES, files: [], include: [dir], exclude: [] }
    : { compilerOptions: DEFAULT_OPTIONS, include: [dir] };
  const file = join(stateDir, "tsconfig.json");
  writeIfChanged(file, `${JSON.stringify(config, null, 2)}\n`);
  return { file, source: existsSync(project) ? "project" : "defaults" };
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
