// Loads a bundle and finds what its modules define: functions (by canonical name) and the
// special default exports of `schema.ts`, `crons.ts`, `http.ts` and `auth.config.ts`.

import { dirname, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { isRegisteredFunction, type AnyRegisteredFunction } from "../define/registration.js";
import { isSchema, type GenericSchema, type SchemaDefinition } from "../define/schema.js";
import { isCronJobs, type CronJob } from "../crons/cron-jobs.js";
import { isHttpRouter, type HttpRouter } from "../http-actions/http-router.js";
import type { Bundle, SourceModule } from "./bundle.js";
import { throwSite } from "./throw-site.js";
import { checkArgs } from "./validation.js";

/** One function of the loaded code. */
export interface LoadedFunction {
  /** Canonical name, `module/path:export`. */
  name: string;
  modulePath: string;
  exportName: string;
  definition: AnyRegisteredFunction;
}

/** Everything a functions folder defines. */
export interface LoadedModules {
  functions: Map<string, LoadedFunction>;
  schema: SchemaDefinition<GenericSchema> | undefined;
  /** The default export of `auth.config.ts`, unchecked (see `parseAuthConfig`). */
  authConfig: unknown;
  /** The cron jobs of `crons.ts` (each names an existing mutation or action). */
  crons: CronJob[];
  /** The routes of `http.ts`, served on the site port. */
  http: HttpRouter | undefined;
  /** Module paths in a stable order, with the names of the functions each exports. */
  modules: { modulePath: string; file: string; functions: string[] }[];
}

/**
 * A module that threw while it was being loaded, or whose exports the server refuses. Its
 * message names the file relative to the project and, when the throw happened in the functions
 * folder, the line and column there: `syncline/messages.ts:6:9: failed to load: KEY is not set`.
 */
export class ModuleLoadError extends Error {
  /**
   * @param file the module's absolute path
   * @param dir the functions folder: paths are shown relative to its parent, the project
   */
  constructor(
    readonly file: string,
    cause: unknown,
    dir: string,
  ) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const shown = (path: string) => relative(dirname(dir), path);
    const site = throwSite(cause, dir);
    // The place to fix comes first (terminals and editors open `file:line:column`); a throw in a
    // helper the module imports also says which module was loading.
    const where = site === undefined ? shown(file) : `${shown(site.file)}:${site.line}:${site.column}`;
    const importer = site !== undefined && site.file !== file ? ` (imported by ${shown(file)})` : "";
    super(`${where}: failed to load${importer}: ${message}${COMMONJS_EXPORTS.test(message) ? COMMONJS_HINT : ""}`, { cause });
    this.name = "ModuleLoadError";
  }
}

// Functions modules are bundled and loaded as ES modules: `require()` works in them (esbuild
// rewrites it), CommonJS exports do not - Node stops at the first `exports.x = ...`.
const COMMONJS_EXPORTS = /^(exports|module) is not defined in ES module scope/;
const COMMONJS_HINT = ". Functions modules are ES modules: write `export const hello = query(...)` instead of `exports.hello = ...` or `module.exports = ...` (require() may stay).";

/** Modules whose default export means something other than a function. */
const SPECIAL_MODULES = new Set(["schema", "crons", "http", "auth.config"]);

/**
 * A module to load: a bundled file, or (tests importing the sources themselves, see
 * `syncline/testing`) a function that imports it.
 */
export type LoadableModule = Bundle["modules"][number] | (SourceModule & { load(): Promise<unknown> });

/**
 * Imports every module of a bundle and collects its functions.
 *
 * @example
 * const loaded = await loadModules(await bundleFunctions(dir, out));
 * loaded.functions.get("messages:list")?.definition.kind // "query"
 */
export async function loadModules(bundle: { dir?: string; modules: readonly LoadableModule[] }): Promise<LoadedModules> {
  // Stacks of errors thrown by the modules then name the `.ts` sources (the bundles carry inline
  // source maps), which is what a load error and a function's error show.
  process.setSourceMapsEnabled(true);
  // Modules handed over already loaded (syncline/testing's `modules` form) have no folder of their
  // own: their errors are shown relative to where the process runs.
  const dir = bundle.dir ?? process.cwd();
  const functions = new Map<string, LoadedFunction>();
  const modules: LoadedModules["modules"] = [];
  let schema: LoadedModules["schema"];
  let authConfig: unknown;
  let crons: CronJob[] = [];
  let cronsFile = "crons.ts";
  let http: HttpRouter | undefined;
  for (const module of bundle.modules) {
    let exports: Record<string, unknown>;
    try {
      exports = ("load" in module ? await module.load() : await import(pathToFileURL(module.outFile).href)) as Record<string, unknown>;
    } catch (error) {
      throw new ModuleLoadError(module.file, error, dir);
    }
    if (module.modulePath === "schema") {
      if (exports.default !== undefined && !isSchema(exports.default)) {
        throw new ModuleLoadError(module.file, new Error("the default export of schema.ts must be defineSchema(...)"), dir);
      }
      schema = exports.default as LoadedModules["schema"];
    }
    if (module.modulePath === "auth.config") authConfig = exports.default;
    if (module.modulePath === "crons" && exports.default !== undefined) {
      if (!isCronJobs(exports.default)) throw new ModuleLoadError(module.file, new Error("the default export of crons.ts must be cronJobs()"), dir);
      crons = Object.values(exports.default.jobs);
      cronsFile = module.file;
    }
    if (module.modulePath === "http" && exports.default !== undefined) {
      if (!isHttpRouter(exports.default)) throw new ModuleLoadError(module.file, new Error("the default export of http.ts must be httpRouter()"), dir);
      http = exports.default;
    }
    const names: string[] = [];
    for (const exportName of Object.keys(exports).sort()) {
      const value = exports[exportName];
      if (!isRegisteredFunction(value)) continue;
      if (exportName === "default" && SPECIAL_MODULES.has(module.modulePath)) continue;
      const name = `${module.modulePath}:${exportName}`;
      functions.set(name, { name, modulePath: module.modulePath, exportName, definition: value });
      names.push(exportName);
    }
    modules.push({ modulePath: module.modulePath, file: module.file, functions: names });
  }
  for (const cron of crons) {
    const target = functions.get(cron.functionName);
    const refuse = (problem: string) => new ModuleLoadError(cronsFile, new Error(`cron job ${JSON.stringify(cron.name)} runs ${cron.functionName}, ${problem}`), dir);
    if (target === undefined) throw refuse("which does not exist");
    if (target.definition.kind === "query") throw refuse("which is a query; crons run mutations and actions");
    try {
      checkArgs(cron.functionName, target.definition.args, cron.args);
    } catch (error) {
      throw refuse(`with arguments it refuses: ${(error as Error).message}`);
    }
  }
  return { functions, schema, authConfig, crons, http, modules };
}
