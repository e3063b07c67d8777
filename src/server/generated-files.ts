// The step of a build that deals with the functions folder's `_generated/` (write it, or check
// it is up to date). The server only calls it at the right moments of a build; what the files
// hold is the code generator's business (src/codegen/generated-step.ts makes the steps), so the
// server does not depend on code generation.

import { relative } from "node:path";
import type { LoadedModules } from "./runtime/load.js";

/**
 * What a build does with `_generated/`. Given to `startServer` as `generated` by `syncline dev`
 * (write) and `syncline serve` (verify).
 *
 * @example
 * // writeGeneratedStep is src/codegen/generated-step.ts's
 * await startServer({ dir: "syncline", generated: writeGeneratedStep });
 */
export interface GeneratedFilesStep {
  /** Before bundling: throws when the build cannot succeed with `_generated/` as it is. */
  beforeBuild(dir: string): void;
  /**
   * Once the new code loaded, before anything changes: throws to refuse it (the served code and
   * `_generated/` stay as they are); returns what to do once the new schema is installed.
   */
  afterLoad(dir: string, loaded: LoadedModules): () => void;
}

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
