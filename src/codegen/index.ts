// `syncline codegen`: bundle and load the functions folder, then write `_generated/`.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { assertFunctionsFolder, bundleFunctions } from "../server/runtime/bundle.js";
import { loadModules, type LoadedModules } from "../server/runtime/load.js";
import { emitGeneratedFiles } from "./emit.js";

export { CodegenError } from "./api-tree.js";
export { emitGeneratedFiles } from "./emit.js";

/**
 * Writes `<dir>/_generated/{api,server,dataModel}.ts` for an already loaded folder. All files are
 * rendered before any is written, and each is written to a temporary name and renamed, so a
 * failure never leaves half an output behind. Files whose text did not change are not touched
 * (so watchers do not loop). Returns the names of the files it rewrote.
 */
export function writeGenerated(dir: string, loaded: LoadedModules): string[] {
  return writeGeneratedFiles(dir, emitGeneratedFiles(loaded));
}

/**
 * The rendered `_generated/` files (see `emitGeneratedFiles`) that the folder lacks or holds
 * with other text, by name. Empty when `_generated/` is what codegen would write now.
 *
 * @example
 * outdatedGeneratedFiles("syncline", emitGeneratedFiles(loaded)); // [{ name: "api.ts", missing: false }]
 */
export function outdatedGeneratedFiles(dir: string, files: Record<string, string>): { name: string; missing: boolean }[] {
  const outDir = join(dir, "_generated");
  return Object.entries(files).flatMap(([name, text]): { name: string; missing: boolean }[] => {
    const path = join(outDir, name);
    if (!existsSync(path)) return [{ name, missing: true }];
    return readFileSync(path, "utf8") === text ? [] : [{ name, missing: false }];
  });
}

/** Writes rendered `_generated/` files (see `emitGeneratedFiles`), each only if it changed. */
export function writeGeneratedFiles(dir: string, files: Record<string, string>): string[] {
  const outDir = join(dir, "_generated");
  mkdirSync(outDir, { recursive: true });
  const changed = outdatedGeneratedFiles(dir, files).map(({ name }) => [name, files[name]!] as const);
  const temporary = changed.map(([name, text]) => {
    const tmp = join(outDir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    return [tmp, join(outDir, name)] as const;
  });
  try {
    for (const [tmp, path] of temporary) renameSync(tmp, path);
  } finally {
    for (const [tmp] of temporary) rmSync(tmp, { force: true });
  }
  return changed.map(([name]) => name);
}

/**
 * Runs codegen for a functions folder.
 *
 * @example
 * await runCodegen({ dir: "syncline" });
 */
export async function runCodegen(options: { dir: string }): Promise<LoadedModules> {
  // A fresh folder per run (ES modules are cached by URL, so reused paths would load stale code),
  // inside the project so the bundle's npm imports resolve from the project's node_modules.
  assertFunctionsFolder(options.dir);
  const scratch = join(dirname(options.dir), ".syncline");
  mkdirSync(scratch, { recursive: true });
  const buildDir = mkdtempSync(join(scratch, "codegen-"));
  try {
    const loaded = await loadModules(await bundleFunctions(options.dir, buildDir));
    writeGenerated(options.dir, loaded);
    return loaded;
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}
