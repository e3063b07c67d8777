// Watches a functions folder and calls back, debounced, when a source file changes. Generated
// files and dot folders are ignored, so writing `_generated/` never triggers another reload.
//
// Each directory gets its own non-recursive watcher. Node 20's recursive `fs.watch` on Linux
// watches every file by its inode, so after an editor saves by writing a temporary file and
// renaming it over the original (vim, JetBrains' safe write, `sed -i`), the watcher still looks at
// the old inode and never reports that file again. A directory watcher sees every entry of its
// directory, however the entry was replaced.

import { existsSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";

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

  const watchers = new Map<string, FSWatcher>();
  const unwatch = (path: string) => {
    watchers.get(path)?.close();
    watchers.delete(path);
  };
  // While the folder itself is gone (`rm -rf`, then a copy or checkout) nothing inside can tell
  // when it is back: its parent does.
  let parentWatcher: FSWatcher | undefined;
  const awaitFolder = () => {
    if (parentWatcher !== undefined) return;
    try {
      parentWatcher = watch(dirname(dir), () => {
        if (!existsSync(dir)) return;
        parentWatcher?.close();
        parentWatcher = undefined;
        sync();
        schedule();
      });
    } catch {
      // The parent is gone too: nothing left to watch.
    }
  };
  /** Watches every directory of the tree that is not watched yet, and lets go of vanished ones. */
  const sync = () => {
    const present = new Set(directoriesUnder(dir));
    for (const path of watchers.keys()) if (!present.has(path)) unwatch(path);
    for (const path of present) {
      if (watchers.has(path)) continue;
      try {
        const watcher = watch(path, (event, file) => {
          if (file && IGNORED.test(String(file))) return;
          if (event === "rename") {
            // A watched directory that is removed reports a rename of its own name. It may be
            // made again at once under the same name (even the same inode): watch it afresh.
            if (file === basename(path)) unwatch(path);
            sync(); // an entry came or went: maybe a directory
          }
          schedule();
        });
        watcher.on("error", () => {
          unwatch(path);
          sync();
        });
        watchers.set(path, watcher);
      } catch {
        // Gone between the scan and the watch: the next sync drops it.
      }
    }
    if (!watchers.has(dir)) awaitFolder();
  };
  sync();
  return () => {
    clearTimeout(timer);
    parentWatcher?.close();
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

/** `dir` and every directory below it, except ignored ones. */
function directoriesUnder(dir: string): string[] {
  const found = [dir];
  for (let i = 0; i < found.length; i++) {
    let entries;
    try {
      entries = readdirSync(found[i]!, { withFileTypes: true });
    } catch {
      continue; // removed meanwhile
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !IGNORED.test(entry.name)) found.push(join(found[i]!, entry.name));
    }
  }
  return found;
}
