// The two ways a server's build treats `_generated/`, as steps the server calls (its side is
// src/server/generated-files.ts): `syncline dev` rewrites the files on every (re)load, and
// `syncline serve` refuses code whose files are missing or out of date.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { StaleGeneratedError, type GeneratedFilesStep } from "../server/generated-files.js";
import { emitGeneratedFiles, GENERATED_FILE_NAMES } from "./emit.js";
import { outdatedGeneratedFiles, writeGeneratedFiles } from "./index.js";

/**
 * Writes `_generated/` once the new code's schema is installed (a refused build leaves it as
 * the served code has it).
 *
 * @example
 * await startServer({ dir: "syncline", generated: writeGeneratedStep });
 */
export const writeGeneratedStep: GeneratedFilesStep = {
  beforeBuild() {},
  afterLoad(dir, loaded) {
    // Rendered before anything changes: a folder codegen refuses fails the build here.
    const files = emitGeneratedFiles(loaded);
    return () => void writeGeneratedFiles(dir, files);
  },
};

/**
 * Refuses to build when `_generated/` is missing or is not what codegen would write now, with a
 * StaleGeneratedError saying to run `syncline codegen`.
 *
 * @example
 * await startServer({ dir: "syncline", prod: true, generated: verifyGeneratedStep });
 */
export const verifyGeneratedStep: GeneratedFilesStep = {
  beforeBuild(dir) {
    // Missing generated files would fail the build with an unresolved import of
    // `./_generated/server`; say what is actually wrong before building.
    const missing = GENERATED_FILE_NAMES.filter((name) => !existsSync(join(dir, "_generated", name)));
    if (missing.length > 0) throw new StaleGeneratedError(dir, missing.map((name) => ({ name, missing: true })));
  },
  afterLoad(dir, loaded) {
    const outdated = outdatedGeneratedFiles(dir, emitGeneratedFiles(loaded));
    if (outdated.length > 0) throw new StaleGeneratedError(dir, outdated);
    return () => {};
  },
};
