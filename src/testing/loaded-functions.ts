// The bundled and loaded code of a functions folder, built once per process and shared by every
// test runtime over that folder: bundling costs tens of milliseconds, a test file makes many
// runtimes. A changed source file (size or modification time) means a fresh build.

import { rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import { assertFunctionsFolder, bundleFunctions, listModules, NOT_MODULES, SOURCE_FILE } from "../server/runtime/bundle.js";
import { loadModules, type LoadableModule, type LoadedModules } from "../server/runtime/load.js";

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

/**
 * The functions folder as modules the test runner imported itself, keyed by path - what Vite's
 * `import.meta.glob` gives for the folder's files (lazy or eager). No bundling: the test runner's
 * own module graph serves them. The folder is the one holding `_generated/`, or else the
 * deepest folder all paths share.
 *
 * @example
 * const loaded = await loadedFromModules({ "../syncline/messages.ts": () => import("../syncline/messages") });
 */
export function loadedFromModules(modules: Record<string, unknown>): Promise<LoadedModules> {
  const paths = Object.keys(modules).map((path) => path.replace(/\\/g, "/"));
  const root = functionsRoot(paths);
  const loadable: LoadableModule[] = [];
  for (const [key, value] of Object.entries(modules).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = key.replace(/\\/g, "/");
    const relative = path.slice(root.length);
    if (!SOURCE_FILE.test(relative) || NOT_MODULES.test(relative) || relative.startsWith("_generated/") || relative.split("/").some((part) => part.startsWith("."))) continue;
    const load = typeof value === "function" ? (value as () => Promise<unknown>) : async () => value;
    loadable.push({ file: path, modulePath: relative.replace(SOURCE_FILE, ""), load });
  }
  if (loadable.length === 0) throw new Error(`None of the ${paths.length} modules given is a functions module (a .ts or .js file outside _generated/).`);
  return loadModules({ modules: loadable });
}


/** The folder prefix (ending in "/") of the functions modules among `paths`. */
function functionsRoot(paths: string[]): string {
  for (const path of paths) {
    const at = path.lastIndexOf("_generated/");
    if (at >= 0 && (at === 0 || path[at - 1] === "/")) return path.slice(0, at);
  }
  let prefix = paths[0]?.slice(0, paths[0].lastIndexOf("/") + 1) ?? "";
  for (const path of paths) while (!path.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf("/") + 1);
  return prefix;
}

