// A reload that fails must leave everything the server serves as it was - the code, the
// schema it enforces, and the generated files. (README "Running the server": "a compile error is
// printed with file and line and the last good version keeps serving"; functions-host.ts: "A
// failed build keeps the last good code serving".)

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { writeGeneratedStep } from "../../src/codegen/generated-step.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
const project = (files: Record<string, string>): TempProject => tempProject(files, cleanups);

const SCHEMA_V1 = `import { defineSchema, defineTable } from "syncline/server"; import { v } from "syncline/values";
export default defineSchema({ notes: defineTable({ body: v.string() }) });`;
// Adds a required field: the v1 code's inserts no longer match it.
const SCHEMA_V2 = `import { defineSchema, defineTable } from "syncline/server"; import { v } from "syncline/values";
export default defineSchema({ notes: defineTable({ body: v.string(), author: v.string() }) });`;
const NOTES = `import { mutation } from "syncline/server";
export const add = mutation(async (ctx) => { await ctx.db.insert("notes", { body: "hi" }); return "added"; });`;

describe("a reload that fails keeps the last good version: its code and its schema", () => {
  it("when codegen refuses the new folder (a module name that cannot be an api property)", async () => {
    const p = project({ "schema.ts": SCHEMA_V1, "notes.ts": NOTES });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    const generatedBefore = readFileSync(join(p.dir, "_generated/dataModel.ts"), "utf8");

    // One save changes the schema and adds a module codegen refuses: the whole reload fails.
    p.write("schema.ts", SCHEMA_V2);
    p.write("bad-name.ts", `import { query } from "syncline/server"; export const q = query(() => 1);`);
    await expect(server.reload()).rejects.toThrow(/bad-name\.ts.*cannot be a property/);
    expect(readFileSync(join(p.dir, "_generated/dataModel.ts"), "utf8")).toBe(generatedBefore);

    // The last good code still serves, so its mutation must still work against its schema.
    const answer = await call(server.url, "mutation", "notes:add");
    expect(answer.body.errorMessage).toBeUndefined();
    expect(answer.body.value).toBe("added");
  });

  it("when the new auth.config.ts is malformed (the generated files stay those of the served code too)", async () => {
    const p = project({ "schema.ts": SCHEMA_V1, "notes.ts": NOTES });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    const apiBefore = readFileSync(join(p.dir, "_generated/api.ts"), "utf8");

    p.write("schema.ts", SCHEMA_V2);
    p.write("extra.ts", `import { query } from "syncline/server"; export const q = query(() => 1);`);
    p.write("auth.config.ts", `export default { providers: "not an array" };`);
    await expect(server.reload()).rejects.toThrow(/auth\.config\.ts: "providers" must be an array/);

    // Still the old code: extra:q is not served...
    expect((await call(server.url, "query", "extra:q")).body.errorMessage).toBe("Could not find public function for 'extra:q'.");
    // ...so neither may the old code's writes be refused by the new schema, nor the generated api
    // describe the code that is not served.
    const answer = await call(server.url, "mutation", "notes:add");
    expect.soft(answer.body.errorMessage).toBeUndefined();
    expect.soft(answer.body.value).toBe("added");
    expect.soft(readFileSync(join(p.dir, "_generated/api.ts"), "utf8")).toBe(apiBefore);
  });
});
