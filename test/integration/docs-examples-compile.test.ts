// The documentation: its examples type-check as written. The README's app (schema,
// messages, the scheduling and file storage examples with the imports they leave out) and the
// functions documentation's examples no other type test compiles, under the settings
// `syncline dev` checks a project without a tsconfig with.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { runCodegen } from "../../src/codegen/index.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { installSynclineTypes } from "../helpers/typescript-project.js";

const cleanups = cleanupAfterEach();

// choose-tsconfig.ts DEFAULT_OPTIONS.
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  allowJs: true,
  checkJs: false,
  esModuleInterop: true,
  isolatedModules: true,
  jsx: ts.JsxEmit.ReactJSX,
};

async function typeErrors(files: Record<string, string>): Promise<string[]> {
  const project = tempProject(files, cleanups);
  installSynclineTypes(project.root);
  await runCodegen({ dir: project.dir });
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else all.push(path);
    }
  };
  walk(project.dir);
  const program = ts.createProgram(all, OPTIONS);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(project.dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

const README_FILES: Record<string, string> = JSON.parse("{\"images.ts\": \"import { mutation, query } from \\\"./_generated/server\\\";\\nimport { v } from \\\"syncline/values\\\";\\nexport const generateUploadUrl = mutation({ args: {}, handler: (ctx) => ctx.storage.generateUploadUrl() });\\nexport const save = mutation({\\n  args: { storageId: v.id(\\\"_storage\\\"), author: v.string() },\\n  handler: (ctx, args) => ctx.db.insert(\\\"images\\\", args),\\n});\\nexport const list = query({\\n  args: {},\\n  handler: async (ctx) =>\\n    Promise.all((await ctx.db.query(\\\"images\\\").collect()).map(async (image) => ({ ...image, url: await ctx.storage.getUrl(image.storageId) }))),\\n});\\n\", \"messages.ts\": \"import { query, mutation } from \\\"./_generated/server\\\";\\nimport { v } from \\\"syncline/values\\\";\\n\\nexport const list = query({\\n  args: { room: v.string() },\\n  handler: (ctx, { room }) =>\\n    ctx.db.query(\\\"messages\\\").withIndex(\\\"by_room\\\", (q) => q.eq(\\\"room\\\", room)).order(\\\"desc\\\").take(50),\\n});\\n\\nexport const send = mutation({\\n  args: { room: v.string(), body: v.string() },\\n  handler: (ctx, args) => ctx.db.insert(\\\"messages\\\", args),\\n});\\n\", \"reports.ts\": \"import { internalAction, mutation } from \\\"./_generated/server\\\";\\nimport { internal } from \\\"./_generated/api\\\";\\nimport { v } from \\\"syncline/values\\\";\\n// syncline/reports.ts - schedule work from a mutation (atomic with its writes) or an action\\nexport const enqueueReport = mutation({\\n  args: { title: v.string() },\\n  handler: async (ctx, { title }) => {\\n    const reportId = await ctx.db.insert(\\\"reports\\\", { title, status: \\\"queued\\\" });\\n    return ctx.scheduler.runAfter(0, internal.reports.build, { reportId }); // the job's id\\n  },\\n});\\nexport const build = internalAction({ args: { reportId: v.id(\\\"reports\\\") }, handler: async () => {} });\\n\", \"schema.ts\": \"import { defineSchema, defineTable } from \\\"syncline/server\\\";\\nimport { v } from \\\"syncline/values\\\";\\n\\nexport default defineSchema({\\n  messages: defineTable({ room: v.string(), body: v.string() }).index(\\\"by_room\\\", [\\\"room\\\"]),\\n  reports: defineTable({ title: v.string(), status: v.string() }),\\n  images: defineTable({ storageId: v.id(\\\"_storage\\\"), author: v.string() }),\\n});\\n\", \"check.ts\": \"import { api } from \\\"./_generated/api\\\";\\nimport type { FunctionReturnType } from \\\"syncline\\\";\\nimport type { Id } from \\\"./_generated/dataModel\\\";\\n// README: enqueueReport returns \\\"the job's id\\\".\\nexport const jobId: FunctionReturnType<typeof api.reports.enqueueReport> = null as unknown as Id<\\\"_scheduled_functions\\\">;\\n\"}");
const SEED_FILES: Record<string, string> = JSON.parse("{\"myFunctions.ts\": \"import { action, internalAction, internalQuery, mutation, MutationCtx, query } from \\\"./_generated/server\\\";\\nimport { internal } from \\\"./_generated/api\\\";\\nimport { v } from \\\"syncline/values\\\";\\n\\nexport const myConstantString = query({\\n  handler: () => {\\n    return \\\"My never changing string\\\";\\n  },\\n});\\n\\nexport const myQuery = query({\\n  args: { a: v.number(), b: v.number() },\\n  handler: (ctx, args) => {\\n    // Do something with `ctx`\\n  },\\n});\\n\\nexport const mutateSomething = mutation({\\n  handler: (_, args: { a: number; b: number }) => {\\n    // do something with `args.a` and `args.b`\\n\\n    // optionally return a value\\n    return \\\"success\\\";\\n  },\\n});\\n\\nexport const addItem = mutation({\\n  args: { text: v.string() },\\n  handler: async (ctx, args) => {\\n    await ctx.db.insert(\\\"tasks\\\", { text: args.text });\\n    await trackChange(ctx, \\\"addItem\\\");\\n  },\\n});\\n\\nasync function trackChange(ctx: MutationCtx, type: \\\"addItem\\\" | \\\"removeItem\\\") {\\n  await ctx.db.insert(\\\"changes\\\", { type });\\n}\\n\\nexport const doSomething = action({\\n  args: { a: v.number() },\\n  handler: async (ctx, args) => {\\n    const data = await ctx.runQuery(internal.myFunctions.readData, {\\n      a: args.a,\\n    });\\n    // do something with `data`\\n  },\\n});\\n\\nexport const readData = internalQuery({\\n  args: { a: v.number() },\\n  handler: async (ctx, args) => {\\n    // read from `ctx.db` here\\n  },\\n});\\n\\nexport const mutationThatSchedulesAction = mutation({\\n  args: { text: v.string() },\\n  handler: async (ctx, { text }) => {\\n    const taskId = await ctx.db.insert(\\\"tasks\\\", { text });\\n    await ctx.scheduler.runAfter(0, internal.myFunctions.actionThatCallsAPI, {\\n      taskId,\\n      text,\\n    });\\n  },\\n});\\n\\nexport const actionThatCallsAPI = internalAction({\\n  args: { taskId: v.id(\\\"tasks\\\"), text: v.string() },\\n  handler: (_, args): void => {\\n    // do something with `taskId` and `text`, like call an API\\n    // then run another mutation to store the result\\n  },\\n});\\n\\nconst globalRand = Math.random(); // `globalRand` does not change between runs.\\nconst globalNow = Date.now(); // `globalNow` is the time when Convex functions were deployed.\\n\\nexport const updateSomething = mutation({\\n  args: {},\\n  handler: () => {\\n    const now1 = Date.now(); // `now1` is the time when the function execution started.\\n    const rand1 = Math.random(); // `rand1` has a new value for each function run.\\n    // implementation\\n    const now2 = Date.now(); // `now2` === `now1`\\n    const rand2 = Math.random(); // `rand1` !== `rand2`\\n  },\\n});\\n\", \"other.ts\": \"import { v } from \\\"syncline/values\\\";\\nimport { action } from \\\"./_generated/server\\\";\\nimport { internal } from \\\"./_generated/api\\\";\\n\\nexport const doSomething = action({\\n  args: { a: v.number() },\\n  handler: async (ctx, args) => {\\n    const data = await ctx.runMutation(internal.myMutations.writeData, {\\n      a: args.a,\\n    });\\n    // do something else, optionally use `data`\\n  },\\n});\\n\", \"fetching.ts\": \"import { action } from \\\"./_generated/server\\\";\\n\\nexport const doSomething = action({\\n  args: {},\\n  handler: async () => {\\n    const data = await fetch(\\\"https://api.thirdpartyservice.com\\\");\\n    // do something with data\\n  },\\n});\\n\", \"myMutations.ts\": \"import { internalMutation } from \\\"./_generated/server\\\";\\nimport { v } from \\\"syncline/values\\\";\\nexport const writeData = internalMutation({ args: { a: v.number() }, handler: (ctx, { a }) => ctx.db.insert(\\\"data\\\", { a }) });\\n\", \"plans.ts\": \"import { internalMutation } from \\\"./_generated/server\\\";\\nimport { v } from \\\"syncline/values\\\";\\n\\nexport const markPlanAsProfessional = internalMutation({\\n  args: { planId: v.id(\\\"plans\\\") },\\n  handler: async (ctx, args) => {\\n    await ctx.db.patch(args.planId, { planType: \\\"professional\\\" });\\n  },\\n});\\n\", \"planActions.ts\": \"import { internalAction } from \\\"./_generated/server\\\";\\nimport { Doc } from \\\"./_generated/dataModel\\\";\\n\\nexport const markPlanAsProfessional = internalAction({\\n  handler: async (actionCtx, args) => {\\n    // perform an action, perhaps calling a third-party API\\n  },\\n});\\n\", \"unions.ts\": \"import { mutation } from \\\"./_generated/server\\\";\\nimport { v } from \\\"syncline/values\\\";\\n\\nexport default mutation({\\n  args: {\\n    stringOrNumber: v.union(v.string(), v.number()),\\n  },\\n  handler: async ({ db }, { stringOrNumber }) => {\\n    //...\\n  },\\n});\\n\", \"infer.ts\": \"import { mutation } from \\\"./_generated/server\\\";\\nimport { Infer, v } from \\\"syncline/values\\\";\\n\\nconst nestedObject = v.object({\\n  property: v.string(),\\n});\\n\\n// Resolves to `{property: string}`.\\nexport type NestedObject = Infer<typeof nestedObject>;\\n\\nexport default mutation({\\n  args: {\\n    nested: nestedObject,\\n  },\\n  handler: async ({ db }, { nested }) => {\\n    //...\\n  },\\n});\\n\", \"http.ts\": \"import { httpRouter } from \\\"syncline/server\\\";\\nimport { httpAction } from \\\"./_generated/server\\\";\\n\\nconst http = httpRouter();\\n\\nhttp.route({\\n  path: \\\"/\\\",\\n  method: \\\"GET\\\",\\n  handler: httpAction(async (ctx, request) => {\\n    return new Response(`Hello from ${request.url}`);\\n  }),\\n});\\nexport default http;\\n\", \"myHttpActions.ts\": \"import { httpAction } from \\\"./_generated/server\\\";\\n\\nexport const doSomething = httpAction(async () => {\\n  // implementation will be here\\n  return new Response();\\n});\\n\", \"use.ts\": \"import { api, internal } from \\\"./_generated/api\\\";\\nimport type { FunctionReturnType } from \\\"syncline\\\";\\n// What the examples' references report: names, and null for a handler returning nothing.\\nexport const refs = [api.myFunctions.myConstantString, api.unions.default, api.infer.default, internal.planActions.markPlanAsProfessional];\\nexport const nothing: FunctionReturnType<typeof api.myFunctions.myQuery> = null;\\nexport const success: FunctionReturnType<typeof api.myFunctions.mutateSomething> = \\\"success\\\";\\n\"}");

describe("documentation examples type-check", () => {
  it("the README's functions: schema.ts, messages.ts, reports.ts (enqueueReport returns the job's id), images.ts", async () => {
    expect(await typeErrors(README_FILES)).toEqual([]);
  }, 120_000);

  it("the functions documentation's examples not compiled by test/types", async () => {
    expect(await typeErrors(SEED_FILES)).toEqual([]);
  }, 120_000);
});
