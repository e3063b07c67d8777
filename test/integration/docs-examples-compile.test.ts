// The documentation: its examples type-check as written. The README's app (schema,
// messages, the scheduling and file storage examples with the imports they leave out) and the
// functions documentation's examples no other type test compiles, under the settings
// `syncline dev` checks a project without a tsconfig with.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCodegen } from "../../src/codegen/index.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { README, README_FILES, readmeClientFiles } from "../helpers/readme-examples.js";
import { installSynclineTypes, typeErrors } from "../helpers/typescript-project.js";

const cleanups = cleanupAfterEach();

/** Type errors of `files`, written into a fresh project with its generated code. */
async function typeErrorsOf(files: Record<string, string>): Promise<string[]> {
  const project = tempProject(files, cleanups);
  installSynclineTypes(project.root);
  await runCodegen({ dir: project.dir });
  const generated = readdirSync(join(project.dir, "_generated")).map((name) => `_generated/${name}`);
  return typeErrors(project.dir, [...Object.keys(files), ...generated]);
}

const SEED_FILES: Record<string, string> = {
  "myFunctions.ts": `import { action, internalAction, internalQuery, mutation, MutationCtx, query } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "syncline/values";

export const myConstantString = query({
  handler: () => {
    return "My never changing string";
  },
});

export const myQuery = query({
  args: { a: v.number(), b: v.number() },
  handler: (ctx, args) => {
    // Do something with \`ctx\`
  },
});

export const mutateSomething = mutation({
  handler: (_, args: { a: number; b: number }) => {
    // do something with \`args.a\` and \`args.b\`

    // optionally return a value
    return "success";
  },
});

export const addItem = mutation({
  args: { text: v.string() },
  handler: async (ctx, args) => {
    await ctx.db.insert("tasks", { text: args.text });
    await trackChange(ctx, "addItem");
  },
});

async function trackChange(ctx: MutationCtx, type: "addItem" | "removeItem") {
  await ctx.db.insert("changes", { type });
}

export const doSomething = action({
  args: { a: v.number() },
  handler: async (ctx, args) => {
    const data = await ctx.runQuery(internal.myFunctions.readData, {
      a: args.a,
    });
    // do something with \`data\`
  },
});

export const readData = internalQuery({
  args: { a: v.number() },
  handler: async (ctx, args) => {
    // read from \`ctx.db\` here
  },
});

export const mutationThatSchedulesAction = mutation({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const taskId = await ctx.db.insert("tasks", { text });
    await ctx.scheduler.runAfter(0, internal.myFunctions.actionThatCallsAPI, {
      taskId,
      text,
    });
  },
});

export const actionThatCallsAPI = internalAction({
  args: { taskId: v.id("tasks"), text: v.string() },
  handler: (_, args): void => {
    // do something with \`taskId\` and \`text\`, like call an API
    // then run another mutation to store the result
  },
});

const globalRand = Math.random(); // \`globalRand\` does not change between runs.
const globalNow = Date.now(); // \`globalNow\` is the time when Convex functions were deployed.

export const updateSomething = mutation({
  args: {},
  handler: () => {
    const now1 = Date.now(); // \`now1\` is the time when the function execution started.
    const rand1 = Math.random(); // \`rand1\` has a new value for each function run.
    // implementation
    const now2 = Date.now(); // \`now2\` === \`now1\`
    const rand2 = Math.random(); // \`rand1\` !== \`rand2\`
  },
});
`,
  "other.ts": `import { v } from "syncline/values";
import { action } from "./_generated/server";
import { internal } from "./_generated/api";

export const doSomething = action({
  args: { a: v.number() },
  handler: async (ctx, args) => {
    const data = await ctx.runMutation(internal.myMutations.writeData, {
      a: args.a,
    });
    // do something else, optionally use \`data\`
  },
});
`,
  "fetching.ts": `import { action } from "./_generated/server";

export const doSomething = action({
  args: {},
  handler: async () => {
    const data = await fetch("https://api.thirdpartyservice.com");
    // do something with data
  },
});
`,
  "myMutations.ts": `import { internalMutation } from "./_generated/server";
import { v } from "syncline/values";
export const writeData = internalMutation({ args: { a: v.number() }, handler: (ctx, { a }) => ctx.db.insert("data", { a }) });
`,
  "plans.ts": `import { internalMutation } from "./_generated/server";
import { v } from "syncline/values";

export const markPlanAsProfessional = internalMutation({
  args: { planId: v.id("plans") },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.planId, { planType: "professional" });
  },
});
`,
  "planActions.ts": `import { internalAction } from "./_generated/server";
import { Doc } from "./_generated/dataModel";

export const markPlanAsProfessional = internalAction({
  handler: async (actionCtx, args) => {
    // perform an action, perhaps calling a third-party API
  },
});
`,
  "unions.ts": `import { mutation } from "./_generated/server";
import { v } from "syncline/values";

export default mutation({
  args: {
    stringOrNumber: v.union(v.string(), v.number()),
  },
  handler: async ({ db }, { stringOrNumber }) => {
    //...
  },
});
`,
  "infer.ts": `import { mutation } from "./_generated/server";
import { Infer, v } from "syncline/values";

const nestedObject = v.object({
  property: v.string(),
});

// Resolves to \`{property: string}\`.
export type NestedObject = Infer<typeof nestedObject>;

export default mutation({
  args: {
    nested: nestedObject,
  },
  handler: async ({ db }, { nested }) => {
    //...
  },
});
`,
  "http.ts": `import { httpRouter } from "syncline/server";
import { httpAction } from "./_generated/server";

const http = httpRouter();

http.route({
  path: "/",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    return new Response(\`Hello from \${request.url}\`);
  }),
});
export default http;
`,
  "myHttpActions.ts": `import { httpAction } from "./_generated/server";

export const doSomething = httpAction(async () => {
  // implementation will be here
  return new Response();
});
`,
  "use.ts": `import { api, internal } from "./_generated/api";
import type { FunctionReturnType } from "syncline";
// What the examples' references report: names, and null for a handler returning nothing.
export const refs = [api.myFunctions.myConstantString, api.unions.default, api.infer.default, internal.planActions.markPlanAsProfessional];
export const nothing: FunctionReturnType<typeof api.myFunctions.myQuery> = null;
export const success: FunctionReturnType<typeof api.myFunctions.mutateSomething> = "success";
`,
};

describe("documentation examples type-check", () => {
  it("the README's functions: schema.ts, messages.ts, reports.ts (enqueueReport returns the job's id), images.ts", async () => {
    expect(await typeErrorsOf(README_FILES)).toEqual([]);
  }, 120_000);

  it("the README's clients: the React page and the Node script, beside its functions", async () => {
    const clients = readmeClientFiles(README);
    expect(Object.keys(clients).sort()).toEqual(["src/client.ts", "src/main.tsx"]);
    // The client files sit beside the functions folder (`../syncline/_generated/api`).
    const files = { ...README_FILES, ...Object.fromEntries(Object.entries(clients).map(([path, text]) => [`../${path}`, text])) };
    expect(await typeErrorsOf(files)).toEqual([]);
  }, 120_000);

  it("the functions documentation's examples not compiled by test/types", async () => {
    expect(await typeErrorsOf(SEED_FILES)).toEqual([]);
  }, 120_000);
});
