import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCodegen } from "../../../src/codegen/index.js";
import { CodegenError } from "../../../src/codegen/api-tree.js";
import { BundleError } from "../../../src/server/runtime/bundle.js";
import { ModuleLoadError } from "../../../src/server/runtime/load.js";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/app/syncline");
const GENERATED = ["api.ts", "dataModel.ts", "server.ts"];

let projects: TempProject[] = [];
afterEach(() => {
  for (const project of projects) project.remove();
  projects = [];
});
function project(files: Record<string, string>): TempProject {
  const made = tempProject(files);
  projects.push(made);
  return made;
}
const readGenerated = (dir: string) => Object.fromEntries(GENERATED.map((name) => [name, readFileSync(join(dir, "_generated", name), "utf8")]));

describe("codegen", () => {
  it("writes exactly the committed fixture output, byte for byte, every time", async () => {
    const committed = readGenerated(FIXTURE);
    const copy = project({});
    // Same sources in a fresh folder: the output must not depend on where or when it runs.
    for (const file of readdirSync(FIXTURE, { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts") || file.startsWith("_generated")) continue;
      copy.write(file, readFileSync(join(FIXTURE, file), "utf8"));
    }
    await runCodegen({ dir: copy.dir });
    expect(readGenerated(copy.dir)).toEqual(committed);
    await runCodegen({ dir: copy.dir });
    expect(readGenerated(copy.dir)).toEqual(committed);
  });

  it("puts public functions in api and internal ones in internal, nested by folder", async () => {
    const p = project({
      "a.ts": `import { query, internalMutation } from "syncline/server";
        export const pub = query(() => 1);
        export const priv = internalMutation(() => {});
        export const notAFunction = 42;`,
      "x/y/z.ts": `import { action } from "syncline/server"; export default action(() => "d");`,
    });
    const loaded = await runCodegen({ dir: p.dir });
    expect([...loaded.functions.keys()].sort()).toEqual(["a:priv", "a:pub", "x/y/z:default"]);
    const api = readFileSync(join(p.dir, "_generated/api.ts"), "utf8");
    const [publicPart, internalPart] = api.split("export const internal");
    expect(publicPart).toContain(`pub: referenceFor<typeof module_a.pub>("query", "public", "a:pub")`);
    expect(publicPart).toMatch(/x: \{\n\s+y: \{\n\s+z: \{\n\s+default: referenceFor<typeof module_x_y_z.default>\("action", "public", "x\/y\/z:default"\)/);
    expect(publicPart).not.toContain("priv");
    expect(internalPart).toContain(`priv: referenceFor<typeof module_a.priv>("mutation", "internal", "a:priv")`);
    expect(internalPart).not.toContain("pub:");
  });

  it("writes a dataModel typed from schema.ts when there is one, AnyDataModel otherwise", async () => {
    const without = project({ "a.ts": `import { query } from "syncline/server"; export const q = query(() => 1);` });
    await runCodegen({ dir: without.dir });
    expect(readFileSync(join(without.dir, "_generated/dataModel.ts"), "utf8")).toContain("export type DataModel = AnyDataModel;");
    const withSchema = project({
      "schema.ts": `import { defineSchema, defineTable } from "syncline/server"; import { v } from "syncline/values";
        export default defineSchema({ t: defineTable({ a: v.string() }) });`,
    });
    await runCodegen({ dir: withSchema.dir });
    expect(readFileSync(join(withSchema.dir, "_generated/dataModel.ts"), "utf8")).toContain(
      "export type DataModel = DataModelFromSchemaDefinition<typeof schema>;",
    );
  });

  it("imports referenceFor in api.ts only when there is a function to reference (no unused import)", async () => {
    const schemaOnly = project({
      "schema.ts": `import { defineSchema, defineTable } from "syncline/server"; import { v } from "syncline/values";
        export default defineSchema({ t: defineTable({ a: v.string() }) });`,
    });
    await runCodegen({ dir: schemaOnly.dir });
    const api = readFileSync(join(schemaOnly.dir, "_generated/api.ts"), "utf8");
    expect(api).not.toContain("referenceFor");
    expect(api).toContain(`import { checkedApi } from "syncline";`);
    expect(api).toContain(`export const api = checkedApi("api", {});`);
  });

  it("bundles modules that import the generated api before it exists", async () => {
    const p = project({
      "a.ts": `import { action } from "./_generated/server"; import { internal } from "./_generated/api";
        export const go = action(async (ctx) => ctx.runQuery(internal.b.secret, {}));`,
      "b.ts": `import { internalQuery } from "./_generated/server"; export const secret = internalQuery(() => 1);`,
    });
    expect(existsSync(join(p.dir, "_generated"))).toBe(false);
    const loaded = await runCodegen({ dir: p.dir });
    expect([...loaded.functions.keys()].sort()).toEqual(["a:go", "b:secret"]);
  });

  describe("refuses, naming the file, and writes nothing", () => {
    async function expectRefused(files: Record<string, string>, error: new (...args: never[]) => Error, mention: RegExp) {
      const p = project(files);
      const failure = await runCodegen({ dir: p.dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(error);
      expect((failure as Error).message).toMatch(mention);
      const generated = join(p.dir, "_generated");
      expect(existsSync(generated) ? readdirSync(generated) : []).toEqual([]);
    }

    it("a file and a folder with the same name both holding functions", () =>
      expectRefused(
        {
          "foo.ts": `import { query } from "syncline/server"; export const a = query(() => 1);`,
          "foo/bar.ts": `import { query } from "syncline/server"; export const b = query(() => 1);`,
        },
        CodegenError,
        /foo\.ts.*api\.foo would be both.*foo\/bar\.ts/s,
      ));

    it("a module path that is not a valid identifier", () =>
      expectRefused(
        { "my-module.ts": `import { query } from "syncline/server"; export const a = query(() => 1);` },
        CodegenError,
        /my-module\.ts.*"my-module" cannot be a property/,
      ));

    it("a module that throws while loading", () =>
      expectRefused(
        { "boom.ts": `import { query } from "syncline/server"; export const a = query(() => 1); throw new Error("kaboom");` },
        ModuleLoadError,
        // The path from the project, and where in the source the module threw.
        /^syncline\/boom\.ts:1:81: failed to load: kaboom$/,
      ));

    it("a module that does not compile, with file and line", () =>
      expectRefused({ "broken.ts": `import { query } from "syncline/server";\nexport const a = query(() => {;` }, BundleError, /^syncline\/broken\.ts:2:32: Unexpected end of file$/)); // from the project, wherever the command runs
  });

  it("keeps the previous output when a later run fails", async () => {
    const p = project({ "a.ts": `import { query } from "syncline/server"; export const q = query(() => 1);` });
    await runCodegen({ dir: p.dir });
    const before = readGenerated(p.dir);
    p.write("a.ts", `throw new Error("broken now");`);
    await expect(runCodegen({ dir: p.dir })).rejects.toThrow(/^syncline\/a\.ts:1:7: failed to load: broken now$/);
    expect(readGenerated(p.dir)).toEqual(before);
  });
});

describe("codegen with npm packages", () => {
  it("resolves a module's npm imports from the project's node_modules", async () => {
    const p = project({
      "a.ts": `import { query } from "syncline/server"; import leftPad from "left-pad-fixture"; export const q = query(() => leftPad("x"));`,
    });
    p.write("../node_modules/left-pad-fixture/package.json", JSON.stringify({ name: "left-pad-fixture", type: "module", main: "index.js" }));
    p.write("../node_modules/left-pad-fixture/index.js", `export default (s) => "  " + s;`);
    const loaded = await runCodegen({ dir: p.dir });
    expect([...loaded.functions.keys()]).toEqual(["a:q"]);
  });
});
