// Holds the code a server runs: bundles the functions folder into a fresh build folder, loads
// it, installs its schema, and swaps it into the runtime. A failed build keeps the last good
// code serving.

import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "./db/types.js";
import type { GeneratedFilesStep } from "./generated-files.js";
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
   * What each build does with `_generated/` (write it, or check it is up to date: see
   * generated-files.ts); without one, `_generated/` is left alone.
   */
  generated?: GeneratedFilesStep | undefined;
  /** Refuses a build for reasons of its own (a malformed auth.config.ts) before anything changes. */
  check?: (loaded: LoadedModules) => void;
}

let buildCounter = 0;

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
    const generated = this.#options.generated;
    generated?.beforeBuild(this.#options.dir);
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
      const afterSchema = generated?.afterLoad(this.#options.dir, loaded);
      await this.#options.db.setSchema(loaded.schema);
      afterSchema?.();
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
