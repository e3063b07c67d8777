// ctx.vectorSearch in an action of a Convex-style app (imports rewritten only), called through
// the official `convex` client: results by cosine similarity, filtered, and the action's
// refusal of a bad query reaching the client as a clear error.

import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const SCHEMA_TS = `import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";
export default defineSchema({
  foods: defineTable({ name: v.string(), cuisine: v.string(), embedding: v.array(v.float64()) })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 2, filterFields: ["cuisine"] }),
});
`;

const FOODS_TS = `import { action, internalQuery, mutation } from "syncline/server";
import { v } from "syncline/values";
import { internal } from "./_generated/api";
export const add = mutation({
  args: { name: v.string(), cuisine: v.string(), embedding: v.array(v.float64()) },
  handler: async (ctx, args) => await ctx.db.insert("foods", args),
});
export const names = internalQuery({
  args: { ids: v.array(v.id("foods")) },
  handler: async (ctx, { ids }) => Promise.all(ids.map(async (id) => (await ctx.db.get(id))?.name ?? null)),
});
export const similar = action({
  args: { vector: v.array(v.float64()), cuisine: v.optional(v.string()) },
  handler: async (ctx, { vector, cuisine }) => {
    const results = await ctx.vectorSearch("foods", "by_embedding", {
      vector,
      limit: 16,
      filter: cuisine === undefined ? undefined : (q) => q.eq("cuisine", cuisine),
    });
    const names = await ctx.runQuery(internal.foods.names, { ids: results.map((r) => r._id) });
    return results.map((r, i) => ({ name: names[i], score: Math.round(r._score * 1000) / 1000 }));
  },
});
`;

describe("vector search through the official client", () => {
  it("answers by cosine similarity, filtered, and refuses a wrong vector length clearly", async () => {
    const project = tempProject({ "schema.ts": SCHEMA_TS, "foods.ts": FOODS_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
    cleanups.push(() => client.close());
    const api = anyApi.foods!;
    await client.mutation(api.add!, { name: "soup", cuisine: "french", embedding: [1, 0] });
    await client.mutation(api.add!, { name: "curry", cuisine: "thai", embedding: [0.6, 0.8] });
    await client.mutation(api.add!, { name: "tart", cuisine: "french", embedding: [0, 3] });

    expect(await client.action(api.similar!, { vector: [1, 0] })).toEqual([
      { name: "soup", score: 1 },
      { name: "curry", score: 0.6 },
      { name: "tart", score: 0 },
    ]);
    expect(await client.action(api.similar!, { vector: [0, 1], cuisine: "french" })).toEqual([
      { name: "tart", score: 1 },
      { name: "soup", score: 0 },
    ]);
    const refused = await client.action(api.similar!, { vector: [1, 0, 0] }).catch((error: Error) => error);
    expect(String((refused as Error).message)).toContain('Vector index "by_embedding" of table "foods": the vector has 3 numbers');
    const badWrite = await client.mutation(api.add!, { name: "bad", cuisine: "thai", embedding: [1] }).catch((error: Error) => error);
    expect(String((badWrite as Error).message)).toContain("holds a vector of 1 numbers; the index has 2 dimensions");
  });
});
