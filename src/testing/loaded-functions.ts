// The bundled and loaded code of a functions folder, built once per process and shared by every
// test runtime over that folder: bundling costs tens of milliseconds, a test file makes many
// runtimes. A changed source file (size or modification time) means a fresh build.

import { rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import { assertFunctionsFolder, bundleFunctions, listModules } from "../server/runtime/bundle.js";
import { loadModules, type LoadedModules } from "../server/runtime/load.js";

const builds = new Map<string, { fingerprint: string; loaded: Promise<LoadedModules> }>();
const buildFolders = new Set<string>();
// Build folders are named `<pid>-<n>` like the server's, so a server in this project removes
// them once this process is gone. Numbers from a million up never meet the server's own, and a
// million per worker thread keeps the threads of one process (test runners use them, each
// with its own copy of this module) apart: a reused path would load another thread's modules.
let buildNumber = (threadId + 1) * 1_000_000;

/**
 * The loaded modules of the functions folder `dir` (an absolute path), from this process's cache
 * when its sources are unchanged.
 *
 * @example
 * const loaded = await loadedFunctions(resolve("syncline"));
 * loaded.functions.get("messages:list")?.definition.kind; // "query"
 */
export function loadedFunctions(dir: string): Promise<LoadedModules> {
  assertFunctionsFolder(dir);
  const fingerprint = sourcesFingerprint(dir);
  const cached = builds.get(dir);
  if (cached !== undefined && cached.fingerprint === fingerprint) return cached.loaded;
  const loaded = build(dir);
  builds.set(dir, { fingerprint, loaded });
  // A failed build is not kept: the next runtime tries again (the test may have fixed the file).
  loaded.catch(() => {
    if (builds.get(dir)?.loaded === loaded) builds.delete(dir);
  });
  return loaded;
}

async function build(dir: string): Promise<LoadedModules> {
  const outDir = join(dirname(dir), ".syncline", "build", `${process.pid}-${++buildNumber}`);
  if (buildFolders.size === 0) process.once("exit", removeBuildFolders);
  buildFolders.add(outDir);
  // The folder stays until the process exits: modules may import their chunks lazily.
  return loadModules(await bundleFunctions(dir, outDir));
}

/** Names, sizes and modification times of the folder's sources. */
function sourcesFingerprint(dir: string): string {
  return listModules(dir)
    .map(({ file }) => {
      const stats = statSync(file, { throwIfNoEntry: false });
      return `${file}:${stats?.size}:${stats?.mtimeMs}`;
    })
    .join("\n");
}

function removeBuildFolders(): void {
  for (const folder of buildFolders) rmSync(folder, { recursive: true, force: true });
}
