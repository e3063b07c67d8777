// Throwaway functions folders for tests: write files, get the folder, remove it afterwards.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

// Inside the repository (gitignored), not the OS temp folder: browser-like test environments
// load modules through the test runner, which only serves files under the project root.
const SCRATCH = join(import.meta.dirname, "../.tmp");

export interface TempProject {
  /** The project root (holds `.syncline/`). */
  root: string;
  /** The functions folder. */
  dir: string;
  write(path: string, text: string): void;
  remove(): void;
}

/** Makes a project with a `syncline/` functions folder holding `files`; `cleanups` gets its removal. */
export function tempProject(files: Record<string, string> = {}, cleanups?: (() => unknown)[]): TempProject {
  mkdirSync(SCRATCH, { recursive: true });
  const root = mkdtempSync(join(SCRATCH, "project-"));
  const dir = join(root, "syncline");
  mkdirSync(dir, { recursive: true });
  const project: TempProject = {
    root,
    dir,
    write(path, text) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [path, text] of Object.entries(files)) project.write(path, text);
  cleanups?.push(() => project.remove());
  return project;
}
