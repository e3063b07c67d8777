// Watches a functions folder and calls back, debounced, when a source file changes. Generated
// files and dot folders are ignored, so writing `_generated/` never triggers another reload.

import { watch, type FSWatcher } from "node:fs";

const IGNORED = /(^|[/\\])(_generated|node_modules|\.[^/\\]+)([/\\]|$)/;

/**
 * Calls `onChange` (at most one run at a time, changes during a run cause one more run).
 *
 * @example
 * const stop = watchFunctions("syncline", () => server.reload());
 */
export function watchFunctions(dir: string, onChange: () => Promise<void>, debounceMs = 80): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const fire = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await onChange();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void fire(), debounceMs);
  };
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, file) => {
    if (file && IGNORED.test(String(file))) return;
    schedule();
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
