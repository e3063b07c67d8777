// Bundles a functions folder with esbuild into loadable ES modules. Every module is an entry
// point (shared code goes into chunks, so a helper imported twice is one instance); npm
// packages stay external and resolve from the project's node_modules at load time.

import { build, type Message, type Plugin } from "esbuild";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { synclineAliases } from "./package-root.js";

/** A source file of the functions folder and its module path (`foo/bar` for `foo/bar.ts`). */
export interface SourceModule {
  file: string;
  modulePath: string;
}

/** The result of one build: where each module's bundle is. */
export interface Bundle {
  /** The functions folder it was built from. */
  dir: string;
  outDir: string;
  modules: (SourceModule & { outFile: string })[];
}

/** A build that failed: esbuild's messages with file and line. */
export class BundleError extends Error {
  constructor(readonly messages: Message[]) {
    super(messages.map(formatMessage).join("\n"));
    this.name = "BundleError";
  }
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : "";
  return `${where}${message.text}`;
}

/** A source file of a functions folder, by its extension. */
export const SOURCE_FILE = /\.(ts|tsx|js|jsx|mts|mjs)$/;
/** Source files that are not function modules: declarations and tests. */
export const NOT_MODULES = /(\.d\.ts|\.test\.[jt]sx?|\.spec\.[jt]sx?)$/;

/** Lists the function modules of `dir`: source files outside `_generated` and dot folders. */
export function listModules(dir: string): SourceModule[] {
  const found: SourceModule[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (current === dir && entry.name === "_generated") continue;
        walk(path);
      } else if (SOURCE_FILE.test(entry.name) && !NOT_MODULES.test(entry.name)) {
        const modulePath = relative(dir, path).split(sep).join("/").replace(SOURCE_FILE, "");
        found.push({ file: path, modulePath });
      }
    }
  };
  walk(dir);
  return found;
}

/**
 * Throws a message that says what to do when `dir` is not a folder (before anything is created).
 *
 * @example
 * assertFunctionsFolder(resolve("syncline"));
 */
export function assertFunctionsFolder(dir: string): void {
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  throw new Error(`There is no functions folder at ${dir}. Create it with a first module (for example ${join(dir, "myFunctions.ts")}), or point to yours (--dir, or the dir option).`);
}

/**
 * Bundles every module of `dir` into `outDir` (emptied first).
 *
 * @example
 * const bundle = await bundleFunctions("syncline", ".syncline/build/1");
 */
export async function bundleFunctions(dir: string, outDir: string): Promise<Bundle> {
  const modules = listModules(dir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  if (modules.length === 0) return { dir, outDir, modules: [] };
  const entryPoints = modules.map((module) => ({ in: module.file, out: module.modulePath }));
  try {
    const result = await build({
      entryPoints,
      outdir: outDir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      outExtension: { ".js": ".mjs" },
      packages: "external",
      alias: synclineAliases(),
      plugins: [virtualGenerated(dir)],
      // Maps stack frames back to the sources: a load error's line and column, functions' stacks.
      sourcemap: "inline",
      // Compile errors name files relative to the project (`syncline/messages.ts:2:7`), as load
      // and type errors do, wherever the server was started.
      absWorkingDir: dirname(dir),
      logLevel: "silent",
      write: true,
    });
    if (result.errors.length > 0) throw new BundleError(result.errors);
  } catch (error) {
    if (isBuildFailure(error)) throw new BundleError(error.errors);
    throw error;
  }
  return { dir, outDir, modules: modules.map((module) => ({ ...module, outFile: join(outDir, `${module.modulePath}.mjs`) })) };
}

function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return typeof error === "object" && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}

// The server never bundles the files in `_generated/`: they may be missing (first run) or stale
// (mid-edit). It substitutes what they mean at run time instead: `api`/`internal` become
// `anyApi` (references resolved by name on the server), `server` re-exports the builders, and
// `dataModel` holds only types.
const GENERATED_SOURCES: Record<string, string> = {
  api: `import { anyApi } from "syncline/server"; export const api = anyApi; export const internal = anyApi;`,
  server: `export { query, internalQuery, mutation, internalMutation, action, internalAction, httpAction } from "syncline/server"; export { v } from "syncline/values";`,
  dataModel: `export {};`,
};

function virtualGenerated(dir: string): Plugin {
  const generatedDir = join(dir, "_generated");
  return {
    name: "syncline-virtual-generated",
    setup(builder) {
      builder.onResolve({ filter: /_generated\/(api|server|dataModel)(\.[jt]s)?$/ }, (args) => {
        const target = join(args.resolveDir, args.path).replace(/\.[jt]s$/, "");
        if (dirname(target) !== generatedDir) return undefined;
        return { path: basename(target), namespace: "syncline-generated" };
      });
      builder.onLoad({ filter: /.*/, namespace: "syncline-generated" }, (args) => {
        const contents = GENERATED_SOURCES[args.path];
        // No contents means "not mine" to esbuild, as an undefined `contents` did before; spelled
        // out so this file also compiles under `exactOptionalPropertyTypes` (the type tests).
        return contents === undefined ? undefined : { contents, loader: "js", resolveDir: generatedDir };
      });
    },
  };
}
