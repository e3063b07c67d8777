// The project files that change what a type check says without changing the functions folder:
// `tsconfig.json` (and the `tsconfig.*.json` it extends or references) and `package.json`
// (installed type packages, `"type"`). A save of one re-runs the check, not the reload.

import { watch, type FSWatcher } from "node:fs";

const CONFIG_FILE = /^(tsconfig(\..+)?\.json|package\.json)$/;

/**
 * Calls `onChange` (debounced) when a config file in `projectRoot` itself changes, appears or
 * goes. Watches the directory, not the files: editors that save by renaming a temporary file
 * over the original replace the file a file watcher would hold.
 *
 * @example
 * const stop = watchProjectConfig("/app", () => void checker.check());
 */
export function watchProjectConfig(projectRoot: string, onChange: () => void, debounceMs = 80): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(projectRoot, (_event, file) => {
      if (file === null || !CONFIG_FILE.test(String(file))) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on("error", () => watcher?.close()); // the project folder went away: nothing to check
  } catch {
    // (a project folder that cannot be watched: checks still follow every reload)
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
