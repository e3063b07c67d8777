// Loads a bundle and finds what its modules define: functions (by canonical name) and the
// special default exports of `schema.ts` (and, as they land, crons, HTTP routes, auth config).

import { pathToFileURL } from "node:url";
import { isRegisteredFunction, type AnyRegisteredFunction } from "../define/registration.js";
import { isSchema, type GenericSchema, type SchemaDefinition } from "../define/schema.js";
import type { Bundle } from "./bundle.js";

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
  /** Module paths in a stable order, with the names of the functions each exports. */
  modules: { modulePath: string; file: string; functions: string[] }[];
}

/** A module that threw while it was being loaded. */
export class ModuleLoadError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file}: failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "ModuleLoadError";
  }
}

/** Modules whose default export means something other than a function. */
const SPECIAL_MODULES = new Set(["schema", "crons", "http", "auth.config"]);

/**
 * Imports every module of a bundle and collects its functions.
 *
 * @example
 * const loaded = await loadModules(await bundleFunctions(dir, out));
 * loaded.functions.get("messages:list")?.definition.kind // "query"
 */
export async function loadModules(bundle: Bundle): Promise<LoadedModules> {
  const functions = new Map<string, LoadedFunction>();
  const modules: LoadedModules["modules"] = [];
  let schema: LoadedModules["schema"];
  let authConfig: unknown;
  for (const module of bundle.modules) {
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(module.outFile).href)) as Record<string, unknown>;
    } catch (error) {
      throw new ModuleLoadError(module.file, error);
    }
    if (module.modulePath === "schema") {
      if (exports.default !== undefined && !isSchema(exports.default)) {
        throw new ModuleLoadError(module.file, new Error("the default export of schema.ts must be defineSchema(...)"));
      }
      schema = exports.default as LoadedModules["schema"];
    }
    if (module.modulePath === "auth.config") authConfig = exports.default;
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
  return { functions, schema, authConfig, modules };
}
