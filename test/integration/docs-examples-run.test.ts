// The documentation: the functions documentation's examples that no other test ran, as
// written there (only `convex/...` imports renamed `syncline/...`), in a fresh project served by
// the real server, and the README's claims no other test checked.

import { describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { writeGeneratedStep } from "../../src/codegen/generated-step.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { call, recordingLogger } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

async function serve(files: Record<string, string>, options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  const project = tempProject(files, cleanups);
  const server = await startServer({ dir: project.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep, ...options });
  cleanups.push(() => server.close());
  return server;
}

const value = async (url: string, kind: "query" | "mutation" | "action", path: string, args: Record<string, unknown> = {}) => {
  const answer = await call(url, kind, path, args as never);
  expect(answer.body, JSON.stringify(answer.body)).toMatchObject({ status: "success" });
  return answer.body.value;
};

// Functions documentation, "Queries": the query constructor, a query using its context, a query
// returning nothing.
const QUERY_EXAMPLES = `import { query } from "./_generated/server";
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
`;

// "Mutations": arguments typed by the handler only, returning "success"; a helper taking a MutationCtx.
const MUTATION_EXAMPLES = `import { v } from "syncline/values";
import { mutation, MutationCtx } from "./_generated/server";

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
`;

describe("functions documentation examples not run elsewhere", () => {
  it("queries: the constructor without args, and a query returning undefined answers null", async () => {
    const server = await serve({ "myFunctions.ts": QUERY_EXAMPLES });
    expect(await value(server.url, "query", "myFunctions:myConstantString")).toBe("My never changing string");
    expect(await value(server.url, "query", "myFunctions:myQuery", { a: 1, b: 2 })).toBeNull();
  });

  it("mutations: an unvalidated mutation returning a value, and a helper taking MutationCtx", async () => {
    const server = await serve({
      "myFunctions.ts": MUTATION_EXAMPLES,
      "read.ts": `import { query } from "./_generated/server";
export const all = query({ args: {}, handler: async (ctx) => ({
  tasks: (await ctx.db.query("tasks").collect()).map((t) => t.text),
  changes: (await ctx.db.query("changes").collect()).map((c) => c.type),
}) });
`,
    });
    expect(await value(server.url, "mutation", "myFunctions:mutateSomething", { a: 1, b: 2 })).toBe("success");
    expect(await value(server.url, "mutation", "myFunctions:addItem", { text: "milk" })).toBeNull();
    expect(await value(server.url, "query", "read:all")).toEqual({ tasks: ["milk"], changes: ["addItem"] });
  });

  it("actions: runQuery of an internal query, runMutation of an internal mutation in another file", async () => {
    const server = await serve({
      "myFunctions.ts": `import { action, internalQuery } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "syncline/values";

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
      // Not shown by the documentation: the mutation it calls.
      "myMutations.ts": `import { internalMutation, query } from "./_generated/server";
import { v } from "syncline/values";
export const writeData = internalMutation({ args: { a: v.number() }, handler: (ctx, { a }) => ctx.db.insert("data", { a }) });
export const all = query({ args: {}, handler: async (ctx) => (await ctx.db.query("data").collect()).map((d) => d.a) });
`,
    });
    expect(await value(server.url, "action", "myFunctions:doSomething", { a: 1 })).toBeNull();
    expect(await value(server.url, "action", "other:doSomething", { a: 7 })).toBeNull();
    expect(await value(server.url, "query", "myMutations:all")).toEqual([7]);
    // readData is internal: not callable from a client.
    expect((await call(server.url, "query", "myFunctions:readData", { a: 1 })).body).toMatchObject({ status: "error" });
  });

  it("actions: a mutation that schedules an internal action with `handler: (_, args): void`", async () => {
    const server = await serve({
      "myFunctions.ts": `import { v } from "syncline/values";
import { internal } from "./_generated/api";
import { internalAction, mutation } from "./_generated/server";

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
`,
      "jobs.ts": `import { query } from "./_generated/server";
export const states = query({ args: {}, handler: async (ctx) => (await ctx.db.system.query("_scheduled_functions").collect()).map((j) => [j.name, j.state.kind]) });
`,
    });
    expect(await value(server.url, "mutation", "myFunctions:mutationThatSchedulesAction", { text: "t" })).toBeNull();
    const deadline = Date.now() + 10_000;
    let states: unknown;
    do {
      states = await value(server.url, "query", "jobs:states");
      if (JSON.stringify(states).includes("success")) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (Date.now() < deadline);
    expect(states).toEqual([["myFunctions:actionThatCallsAPI", "success"]]);
  });

  it("internal functions: markPlanAsProfessional with the two-argument patch, and an internal action without validation", async () => {
    const server = await serve({
      "plans.ts": `import { internalMutation, mutation, query } from "./_generated/server";
import { v } from "syncline/values";

export const markPlanAsProfessional = internalMutation({
  args: { planId: v.id("plans") },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.planId, { planType: "professional" });
  },
});
export const create = mutation({ args: {}, handler: (ctx) => ctx.db.insert("plans", { planType: "free" }) });
export const get = query({ args: { id: v.id("plans") }, handler: async (ctx, { id }) => (await ctx.db.get(id))?.planType });
`,
      "planActions.ts": `import { internalAction } from "./_generated/server";
import { Doc } from "./_generated/dataModel";

export const markPlanAsProfessional = internalAction({
  handler: async (actionCtx, args) => {
    // perform an action, perhaps calling a third-party API
  },
});
`,
      "changes.ts": `import { action } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "syncline/values";
export const upgrade = action({
  args: { planId: v.id("plans") },
  handler: async (ctx, args) => {
    await ctx.runAction(internal.planActions.markPlanAsProfessional, { anything: [1, "two"] });
    await ctx.runMutation(internal.plans.markPlanAsProfessional, { planId: args.planId });
  },
});
`,
    });
    const planId = await value(server.url, "mutation", "plans:create");
    await value(server.url, "action", "changes:upgrade", { planId: planId as string });
    expect(await value(server.url, "query", "plans:get", { id: planId as string })).toBe("professional");
  });

  it("names: nested folders are foo/myQueries:listMessages, a default export is module:default or the module alone", async () => {
    const server = await serve({
      "foo/myQueries.ts": `import { query } from "../_generated/server";
// This function will be referred to as \`api.foo.myQueries.listMessages\`.
export const listMessages = query({ args: {}, handler: () => "listed" });
`,
      "myFunctions.ts": `import { query } from "./_generated/server";
// This function will be referred to as \`api.myFunctions.default\`.
export default query({ args: {}, handler: () => "default" });
`,
    });
    expect(await value(server.url, "query", "foo/myQueries:listMessages")).toBe("listed");
    expect(await value(server.url, "query", "myFunctions:default")).toBe("default");
    expect(await value(server.url, "query", "myFunctions")).toBe("default");
  });

  it("validation: the default-exported mutations with unions, literals, records, any, optional fields and Infer accept what they describe", async () => {
    const server = await serve({
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
      "literals.ts": `import { mutation } from "./_generated/server";
import { v } from "syncline/values";

export default mutation({
  args: {
    oneTwoOrThree: v.union(
      v.literal("one"),
      v.literal("two"),
      v.literal("three"),
    ),
  },
  handler: async ({ db }, { oneTwoOrThree }) => {
    //...
  },
});
`,
      "records.ts": `import { mutation } from "./_generated/server";
import { v } from "syncline/values";

export default mutation({
  args: {
    simpleMapping: v.record(v.string(), v.boolean()),
  },
  handler: async ({ db }, { simpleMapping }) => {
    //...
  },
});
`,
      "anys.ts": `import { mutation } from "./_generated/server";
import { v } from "syncline/values";

export default mutation({
  args: {
    anyValue: v.any(),
  },
  handler: async ({ db }, { anyValue }) => {
    //...
  },
});
`,
      "optionals.ts": `import { mutation } from "./_generated/server";
import { v } from "syncline/values";

export default mutation({
  args: {
    optionalString: v.optional(v.string()),
    optionalNumber: v.optional(v.number()),
  },
  handler: async ({ db }, { optionalString, optionalNumber }) => {
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
    });
    const ok = async (path: string, args: Record<string, unknown>) => expect((await call(server.url, "mutation", path, args as never)).body).toMatchObject({ status: "success", value: null });
    const refused = async (path: string, args: Record<string, unknown>) => expect((await call(server.url, "mutation", path, args as never)).body).toMatchObject({ status: "error" });
    await ok("unions", { stringOrNumber: "a" });
    await ok("unions", { stringOrNumber: 1 });
    await refused("unions", { stringOrNumber: true });
    await ok("literals", { oneTwoOrThree: "two" });
    await refused("literals", { oneTwoOrThree: "four" });
    await ok("records", { simpleMapping: { a: true, b: false } });
    await refused("records", { simpleMapping: { a: 1 } });
    await ok("anys", { anyValue: { deep: [1, "x", null] } });
    await ok("optionals", {});
    await ok("optionals", { optionalString: "s", optionalNumber: 2 });
    await ok("infer", { nested: { property: "p" } });
    await refused("infer", { nested: { property: "p", extra: 1 } });
  });

  it("validation: the schema's record keyed by ids (`v.record(v.id(\"users\"), v.boolean())`) stores such documents", async () => {
    const server = await serve({
      "schema.ts": `import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";
export default defineSchema({
  users: defineTable({ name: v.string() }),
  settings: defineTable({
    userIdToValue: v.record(v.id("users"), v.boolean()),
  }),
});
`,
      "settings.ts": `import { mutation } from "./_generated/server";
export const roundTrip = mutation({ args: {}, handler: async (ctx) => {
  const user = await ctx.db.insert("users", { name: "ada" });
  const id = await ctx.db.insert("settings", { userIdToValue: { [user]: true } });
  return (await ctx.db.get(id))!.userIdToValue[user];
} });
`,
    });
    expect(await value(server.url, "mutation", "settings:roundTrip")).toBe(true);
  });

  it("runtimes: Date.now() is frozen for a run and Math.random() differs within it; module-level values stay between runs", async () => {
    const server = await serve({
      "myFunctions.ts": `import { mutation } from "./_generated/server";

const globalRand = Math.random(); // \`globalRand\` does not change between runs.
const globalNow = Date.now(); // \`globalNow\` is the time when the functions were deployed.

export const updateSomething = mutation({
  args: {},
  handler: () => {
    const now1 = Date.now(); // \`now1\` is the time when the function execution started.
    const rand1 = Math.random(); // \`rand1\` has a new value for each function run.
    // implementation
    const now2 = Date.now(); // \`now2\` === \`now1\`
    const rand2 = Math.random(); // \`rand1\` !== \`rand2\`
    // (Added: what the comments promise, returned for the test.)
    return { same: now1 === now2, different: rand1 !== rand2, rand1, globalRand, globalNow };
  },
});
`,
    });
    const first = (await value(server.url, "mutation", "myFunctions:updateSomething")) as Record<string, unknown>;
    const second = (await value(server.url, "mutation", "myFunctions:updateSomething")) as Record<string, unknown>;
    expect(first).toMatchObject({ same: true, different: true });
    expect(second.rand1).not.toBe(first.rand1);
    expect(second.globalRand).toBe(first.globalRand);
    expect(second.globalNow).toBe(first.globalNow);
  });

  it("debugging: console.log(\"Received args\", args) shows up with the function's name", async () => {
    const { logger, lines } = recordingLogger();
    const server = await serve(
      {
        "myFunctions.ts": `import { mutation } from "./_generated/server";
import { v } from "syncline/values";

export const mutateSomething = mutation({
  args: { a: v.number(), b: v.number() },
  handler: (_, args) => {
    console.log("Received args", args);
    // ...
  },
});
`,
      },
      { logger },
    );
    const answer = await call(server.url, "mutation", "myFunctions:mutateSomething", { a: 1, b: 2 });
    expect(answer.body).toMatchObject({ status: "success", value: null });
    expect(JSON.stringify(answer.body.logLines)).toContain("Received args");
    expect(lines.join("\n")).toMatch(/myFunctions:mutateSomething.*Received args/);
  });

  it("HTTP actions: the hello route answers `Hello from <url>` and a bare httpAction answers an empty 200", async () => {
    const server = await serve({
      "http.ts": `import { httpRouter } from "syncline/server";
import { httpAction } from "./_generated/server";
import { doSomething } from "./myHttpActions";

const http = httpRouter();

http.route({
  path: "/",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    return new Response(\`Hello from \${request.url}\`);
  }),
});
http.route({ path: "/doSomething", method: "POST", handler: doSomething });
export default http;
`,
      "myHttpActions.ts": `import { httpAction } from "./_generated/server";

export const doSomething = httpAction(async () => {
  // implementation will be here
  return new Response();
});
`,
    });
    const hello = await fetch(`${server.siteUrl}/`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe(`Hello from ${server.siteUrl}/`);
    const empty = await fetch(`${server.siteUrl}/doSomething`, { method: "POST" });
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("");
  });
});
