// Holds the code a server runs: bundles the functions folder into a fresh build folder, loads
// it, installs its schema, and swaps it into the runtime. A failed build keeps the last good
// code serving.

import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { emitGeneratedFiles, GENERATED_FILE_NAMES } from "../codegen/emit.js";
import { outdatedGeneratedFiles, writeGeneratedFiles } from "../codegen/index.js";
import type { Database } from "./db/types.js";
import { bundleFunctions } from "./runtime/bundle.js";
import { loadModules, type LoadedModules } from "./runtime/load.js";
import { isAlive } from "./process-alive.js";

export interface FunctionsHostOptions {
  /** The functions folder. */
  dir: string;
  /** Where builds go (inside the project, so npm imports resolve). */
  buildRoot: string;
  db: Database;
  /**
   * What to do with `_generated/` after each successful build: `write` it, `verify` that it is
   * what codegen would write now (else the build fails with a StaleGeneratedError), or ignore it.
   */
  generated: "write" | "verify" | "ignore";
  /** Refuses a build for reasons of its own (a malformed auth.config.ts) before anything changes. */
  check?: (loaded: LoadedModules) => void;
}

let buildCounter = 0;

/**
 * `_generated/` is missing or is not what codegen would write for the functions now (a deploy
 * that forgot `syncline codegen`, or a function changed after it ran): the typed `api` the
 * clients were built with may not match the functions the server would run.
 */
export class StaleGeneratedError extends Error {
  constructor(
    readonly dir: string,
    readonly outdated: readonly { name: string; missing: boolean }[],
  ) {
    const relativeDir = relative(process.cwd(), dir) || ".";
    const what = outdated.every(({ missing }) => missing)
      ? `${relativeDir}/_generated/ is missing ${outdated.map(({ name }) => name).join(", ")}`
      : `${relativeDir}/_generated/ is out of date (${outdated.map(({ name, missing }) => (missing ? `${name} missing` : `${name} differs`)).join(", ")})`;
    super(`${what}: run \`npx syncline codegen --dir ${relativeDir}\`, then start again.`);
    this.name = "StaleGeneratedError";
  }
}

/**
 * Removes the build folders of processes that are gone: a server that was killed (or crashed)
 * could not remove its own, and they would pile up in the project. Folders of live processes
 * stay - several servers may share a project.
 */
function removeOrphanedBuilds(buildRoot: string): void {
  let names: string[];
  try {
    names = readdirSync(buildRoot);
  } catch {
    return; // (no build folder yet)
  }
  for (const name of names) {
    const pid = /^(\d+)-\d+$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid))) rmSync(join(buildRoot, name), { recursive: true, force: true });
  }
}

/** Builds and loads the functions folder, one generation at a time. */
export class FunctionsHost {
  readonly #options: FunctionsHostOptions;
  #currentBuild: string | undefined;
  #building: Promise<LoadedModules> | undefined;

  constructor(options: FunctionsHostOptions) {
    this.#options = options;
  }

  /**
   * Builds and loads the folder now. Rejects (with the compile or load error) without changing
   * what is served; concurrent calls share one build.
   */
  load(): Promise<LoadedModules> {
    this.#building ??= this.#build().finally(() => {
      this.#building = undefined;
    });
    return this.#building;
  }

  async #build(): Promise<LoadedModules> {
    if (this.#options.generated === "verify") {
      // Missing generated files would fail the build below with an unresolved import of
      // `./_generated/server`; say what is actually wrong before building.
      const missing = GENERATED_FILE_NAMES.filter((name) => !existsSync(join(this.#options.dir, "_generated", name)));
      if (missing.length > 0) throw new StaleGeneratedError(this.#options.dir, missing.map((name) => ({ name, missing: true })));
    }
    // Unique per process and build: several servers may share a project (tests), and ES modules
    // are cached by URL, so a reused path would load stale code.
    const outDir = join(this.#options.buildRoot, `${process.pid}-${++buildCounter}`);
    if (this.#currentBuild === undefined) removeOrphanedBuilds(this.#options.buildRoot);
    mkdirSync(this.#options.buildRoot, { recursive: true });
    try {
      const loaded = await loadModules(await bundleFunctions(this.#options.dir, outDir));
      // Whatever can still refuse the new code runs before the first change (the schema, then
      // `_generated/`): a refused build leaves both as the served code has them.
      this.#options.check?.(loaded);
      const generated = this.#options.generated === "ignore" ? undefined : emitGeneratedFiles(loaded);
      if (generated !== undefined && this.#options.generated === "verify") {
        const outdated = outdatedGeneratedFiles(this.#options.dir, generated);
        if (outdated.length > 0) throw new StaleGeneratedError(this.#options.dir, outdated);
      }
      await this.#options.db.setSchema(loaded.schema);
      if (generated !== undefined && this.#options.generated === "write") writeGeneratedFiles(this.#options.dir, generated);
      // The previous build can go: its modules are in memory and in-flight calls keep them.
      if (this.#currentBuild) rmSync(this.#currentBuild, { recursive: true, force: true });
      this.#currentBuild = outDir;
      return loaded;
    } catch (error) {
      rmSync(outDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Removes the current build folder. */
  dispose(): void {
    if (this.#currentBuild) rmSync(this.#currentBuild, { recursive: true, force: true });
    this.#currentBuild = undefined;
  }
}
