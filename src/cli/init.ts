// `syncline init [folder] [--template react|node] [--force]`: writes a new project that works at
// once (`npm install && npm run dev`). The templates are real projects in the package's
// templates/ folder, type-checked and tested as such; init copies one and fills in the project's
// name and the syncline version it runs from.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { ownPackage } from "./own-package.js";

export const TEMPLATES = ["react", "node"] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface InitOptions {
  /** The folder to write into (made if missing). */
  folder: string;
  template: TemplateName;
  /** Write into a folder that is not empty, replacing files of the same names. */
  force: boolean;
  /** Where the next steps' `cd` starts from (default the process's working directory). */
  cwd?: string;
  /** Where messages go (default the console). */
  print?: (line: string) => void;
}

// Left out of a copy: what a template folder in a checkout may hold after someone ran it there.
const NOT_COPIED = new Set(["node_modules", ".syncline", "dist"]);
// A folder holding only these counts as empty (a fresh `git init`, a macOS Finder file).
const IGNORABLE = new Set([".git", ".DS_Store"]);
// npm never packs a file named .gitignore, so the templates hold it as `gitignore`.
const RENAMED: Record<string, string> = { gitignore: ".gitignore" };

/**
 * Writes the template into `options.folder`, prints the next commands and returns the exit code.
 * Throws, and writes nothing, for a folder that is not empty unless `force`.
 *
 * @example
 * init({ folder: "my-app", template: "react", force: false }); // 0
 * // prints: Created a Syncline app from the react template in my-app (18 files). Next: cd my-app ...
 */
export function init(options: InitOptions): number {
  const print = options.print ?? ((line: string) => console.log(line));
  const cwd = options.cwd ?? process.cwd();
  const target = resolve(cwd, options.folder);
  const own = ownPackage();
  const source = join(own.root, "templates", options.template);
  if (!existsSync(source)) throw new Error(`The ${options.template} template is missing from ${own.root} (a broken install?)`);

  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new Error(`${target} is a file, not a folder.`);
    const present = readdirSync(target).filter((name) => !IGNORABLE.has(name));
    if (present.length > 0 && !options.force) {
      const shown = present.slice(0, 5).join(", ") + (present.length > 5 ? `, and ${present.length - 5} more` : "");
      throw new Error(
        `${target} is not empty (${shown}).\n` +
          `Choose a new or empty folder (syncline init my-app), or add --force to write the template into it: ` +
          `files with the template's names are replaced, the others are kept.`,
      );
    }
  }

  const written = copyTemplate(source, target, {
    "package.json": (text) => projectManifest(text, packageName(basename(target)), own.version),
  });

  const where = isAbsolute(options.folder) ? target : relative(cwd, target);
  print(`Created a Syncline app from the ${options.template} template in ${where === "" ? "this folder" : where} (${written} files).`);
  print("");
  print("Next:");
  if (where !== "") print(`  cd ${shellWord(where)}`);
  print("  npm install && npm run dev");
  return 0;
}

/** Copies `source` into `target`, renaming and rewriting files on the way; returns the file count. */
function copyTemplate(source: string, target: string, rewrite: Record<string, (text: string) => string>, under = ""): number {
  let count = 0;
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    if (NOT_COPIED.has(entry.name)) continue;
    const from = join(source, entry.name);
    const to = join(target, RENAMED[entry.name] ?? entry.name);
    if (entry.isDirectory()) {
      count += copyTemplate(from, to, rewrite, join(under, entry.name));
      continue;
    }
    const change = under === "" ? rewrite[entry.name] : undefined;
    if (change) writeFileSync(to, change(readFileSync(from, "utf8")));
    else copyFileSync(from, to);
    count++;
  }
  return count;
}

/** The template's package.json with the project's name and the syncline version running now. */
function projectManifest(text: string, name: string, version: string): string {
  const manifest = JSON.parse(text) as { name: string; dependencies: Record<string, string> };
  manifest.name = name;
  manifest.dependencies.syncline = `^${version}`;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * A valid npm package name from a folder name: lower case, no spaces or other characters npm
 * refuses, not starting with a dot or an underscore.
 *
 * @example
 * packageName("My App!"); // "my-app"
 */
export function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "");
  return name === "" ? "syncline-app" : name.slice(0, 214);
}

/** `path` as one word for a POSIX shell or cmd.exe (quoted when it holds spaces or specials). */
function shellWord(path: string): string {
  return /^[\w./\\:-]+$/.test(path) ? path : `"${path.replace(/"/g, '\\"')}"`;
}
