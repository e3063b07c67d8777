// The generated api.ts must compile for every module codegen accepts. listModules
// (bundle.ts) takes .ts, .tsx, .js, .jsx, .mts and .mjs files as function modules, and codegen
// names them all `api.<path>`; the generated file then has to import each from where TypeScript
// finds it.

import { describe, expect, it } from "vitest";
import { runCodegen } from "../../../src/codegen/index.js";
import { CodegenError } from "../../../src/codegen/api-tree.js";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";
import { installSynclineTypes, typeErrors } from "../../helpers/typescript-project.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";

const cleanups = cleanupAfterEach();
/** A project with `files` in its functions folder and Syncline's types installed. */
function project(files: Record<string, string>): TempProject {
  const made = tempProject(files, cleanups);
  installSynclineTypes(made.root);
  return made;
}

// Each case builds a TypeScript program with React's and Syncline's types: seconds when the
// machine is idle, far longer under a loaded parallel run.
describe("the generated api.ts compiles for every kind of module codegen accepts", { timeout: 120_000 }, () => {
  it("a .ts, .tsx, .js module (control: these pass)", async () => {
    const p = project({
      "a.ts": `import { query } from "./_generated/server"; export const q = query(() => 1);`,
      "b.tsx": `import { query } from "./_generated/server"; export const q = query(() => 2);`,
      "c.js": `import { query } from "./_generated/server.js"; export const q = query(() => 3);`,
      "use.ts": `import { api } from "./_generated/api"; export const refs = [api.a.q, api.b.q, api.c.q];`,
    });
    await runCodegen({ dir: p.dir });
    expect(typeErrors(p.dir, ["_generated/api.ts", "use.ts"])).toEqual([]);
  });

  it("a .mts module", async () => {
    const p = project({
      "a.mts": `import { query } from "./_generated/server"; export const q = query(() => 1);`,
      "use.ts": `import { api } from "./_generated/api"; export const ref = api.a.q;`,
    });
    const loaded = await runCodegen({ dir: p.dir });
    expect([...loaded.functions.keys()]).toEqual(["a:q"]); // accepted as a function module
    expect(typeErrors(p.dir, ["_generated/api.ts", "use.ts"])).toEqual([]);
  });

  it("a .mjs module", async () => {
    const p = project({
      "b.mjs": `import { query } from "./_generated/server.js"; export const q = query(() => 2);`,
      "use.ts": `import { api } from "./_generated/api"; export const ref = api.b.q;`,
    });
    const loaded = await runCodegen({ dir: p.dir });
    expect([...loaded.functions.keys()]).toEqual(["b:q"]);
    expect(typeErrors(p.dir, ["_generated/api.ts", "use.ts"])).toEqual([]);
  });
});

describe("an export name that is not an identifier", { timeout: 120_000 }, () => {
  // `export { x as "my-name" }` is ES2022 and esbuild/Node load it: the function is served as
  // `a:my-name`. Codegen must either write a file that compiles (a quoted key, an indexed type)
  // or refuse with a CodegenError naming the file, as it does for module paths - never write
  // `my-name: referenceFor<typeof module_a.my-name>(...)`, which does not even parse.
  it("gets an api.ts that parses, or a CodegenError", async () => {
    const p = project({
      "a.ts": `import { query } from "./_generated/server"; const q = query(() => 1); export { q as "my-name" };`,
    });
    const outcome = await runCodegen({ dir: p.dir }).then(
      () => "generated",
      (error: unknown) => error,
    );
    if (outcome !== "generated") {
      expect(outcome).toBeInstanceOf(CodegenError);
      return;
    }
    expect(typeErrors(p.dir, ["_generated/api.ts"])).toEqual([]);
  });
});
