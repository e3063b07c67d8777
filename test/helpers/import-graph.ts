// The import graph of a source tree, for the test that keeps data flowing one way (design.md):
// which of our own files each file imports, read with TypeScript's own pre-parser so that
// imports inside comments and strings are not counted and type-only, re-export and dynamic
// imports are.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** Each file (relative to the root, `/`-separated) and the files of the tree it imports. */
export type ImportGraph = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The specifiers `source` imports that start with `.` (our own files): `import`, `import type`,
 * `export ... from`, bare `import "./x.js"` and `import("./x.js")`.
 *
 * @example
 * relativeImports('import type { A } from "./a.js";\nimport { b } from "pkg";') // ["./a.js"]
 */
export function relativeImports(source: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles.map((file) => file.fileName).filter((name) => name.startsWith("."));
}

/**
 * The import graph of every `.ts`/`.tsx` file under `root`. A specifier names the file the
 * compiler picks for it: `./x.js` is `x.ts` or `x.tsx`, `./dir` is `dir/index.ts`; one that
 * names no file of the tree (a JSON file, a path outside it) is left out.
 *
 * @example
 * const graph = importGraph("src");
 * graph.get("client/sync-engine.ts"); // Set { "client/engine-tap.ts", ... }
 */
export function importGraph(root: string): ImportGraph {
  const base = resolve(root);
  const files = sourceFiles(base);
  const known = new Set(files);
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of relativeImports(readFileSync(file, "utf8"))) {
      const target = resolveSpecifier(resolve(dirname(file), specifier), known);
      if (target !== undefined) targets.add(key(base, target));
    }
    graph.set(key(base, file), targets);
  }
  return graph;
}

/**
 * Every pair of files that import each other, as `"a <-> b"` with `a` before `b`, sorted.
 *
 * @example
 * twoFileCircles(new Map([["a.ts", new Set(["b.ts"])], ["b.ts", new Set(["a.ts"])]])) // ["a.ts <-> b.ts"]
 */
export function twoFileCircles(graph: ImportGraph): string[] {
  const circles = new Set<string>();
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (target !== file && graph.get(target)?.has(file)) circles.add(file < target ? `${file} <-> ${target}` : `${target} <-> ${file}`);
    }
  }
  return [...circles].sort();
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

function resolveSpecifier(path: string, known: ReadonlySet<string>): string | undefined {
  const stem = path.replace(/\.(js|jsx|ts|tsx)$/, "");
  return [`${stem}.ts`, `${stem}.tsx`, join(path, "index.ts"), join(path, "index.tsx")].find((candidate) => known.has(candidate));
}

function key(base: string, file: string): string {
  return relative(base, file).split(sep).join("/");
}
