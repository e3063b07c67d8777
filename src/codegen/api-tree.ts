// Turns the loaded functions into the nested `api` / `internal` trees that api.ts declares,
// refusing what cannot become a nested object (invalid identifiers, file/folder collisions).

import type { FunctionKind, FunctionVisibility } from "../functions/reference.js";
import type { LoadedModules } from "../server/runtime/load.js";

/** A leaf of the tree: one function. */
export interface ApiLeaf {
  name: string;
  modulePath: string;
  exportName: string;
  kind: FunctionKind;
  visibility: FunctionVisibility;
}

/** A namespace of the tree: sorted children. */
export interface ApiNode {
  children: Map<string, ApiNode | ApiLeaf>;
}

/** Codegen refused the functions folder; names the file. */
export class CodegenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodegenError";
  }
}

/** A name usable as a property without quotes. */
export const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Builds the `api` (public) or `internal` tree. */
export function buildApiTree(loaded: LoadedModules, visibility: FunctionVisibility): ApiNode {
  checkModulePaths(loaded);
  const root: ApiNode = { children: new Map() };
  for (const fn of [...loaded.functions.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (fn.definition.visibility !== visibility) continue;
    let node = root;
    for (const segment of fn.modulePath.split("/")) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child as ApiNode;
    }
    node.children.set(fn.exportName, {
      name: fn.name,
      modulePath: fn.modulePath,
      exportName: fn.exportName,
      kind: fn.definition.kind,
      visibility: fn.definition.visibility,
    });
  }
  return root;
}

function checkModulePaths(loaded: LoadedModules): void {
  const withFunctions = loaded.modules.filter((module) => module.functions.length > 0);
  for (const module of withFunctions) {
    for (const segment of module.modulePath.split("/")) {
      if (!IDENTIFIER.test(segment)) {
        throw new CodegenError(
          `${module.file}: "${segment}" cannot be a property of the api object; ` +
            `file and folder names of function modules must be valid JavaScript identifiers.`,
        );
      }
    }
  }
  for (const module of withFunctions) {
    const clash = withFunctions.find((other) => other.modulePath.startsWith(`${module.modulePath}/`));
    if (clash) {
      throw new CodegenError(
        `${module.file}: api.${module.modulePath.replaceAll("/", ".")} would be both the module ${module.file} ` +
          `and the folder holding ${clash.file}; rename one of them.`,
      );
    }
  }
}

/** Every leaf of a tree, in order. */
export function leaves(node: ApiNode): ApiLeaf[] {
  const out: ApiLeaf[] = [];
  for (const child of node.children.values()) {
    if ("children" in child) out.push(...leaves(child));
    else out.push(child);
  }
  return out;
}
