// An app written the way Convex apps are (a chat with a search box and "similar messages"),
// its imports rewritten from "convex/..." to "syncline/..." and nothing else: it type-checks with
// TypeScript 5.9 (the version installed here, through its compiler API) and with the newest
// TypeScript on the registry (7 or later: the native compiler, run as `syncline dev` runs the
// project's tsc), and every function answers through the official `convex` client.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError as OfficialConvexError } from "convex/values";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer } from "syncline/server";
import { runCodegen } from "../../src/codegen/index.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { installNewestTypeScript, installSynclineTypes, tscErrors, typeErrors } from "../helpers/typescript-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const FILES: Record<string, string> = {
  "schema.ts": `import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";

export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.string(),
    channel: v.string(),
    embedding: v.optional(v.array(v.float64())),
  })
    .index("by_channel", ["channel"])
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3, filterFields: ["channel"] }),
});
`,
  "messages.ts": `import { ConvexError, v, type GenericId } from "syncline/values";
import { action, internalQuery, mutation, query } from "./_generated/server";
import { internal } from "./_generated/api";
import type { Doc, Id } from "./_generated/dataModel";

export const send = mutation({
  args: { author: v.string(), body: v.string(), channel: v.string(), embedding: v.optional(v.array(v.float64())) },
  handler: async (ctx, args) => {
    if (args.body.trim() === "") throw new ConvexError({ code: "EMPTY", channel: args.channel });
    return await ctx.db.insert("messages", args);
  },
});

export const search = query({
  args: { channel: v.string(), text: v.string() },
  handler: async (ctx, { channel, text }) => {
    const found: Doc<"messages">[] = await ctx.db
      .query("messages")
      .withSearchIndex("search_body", (q) => q.search("body", text).eq("channel", channel))
      .take(10);
    return found.map((message) => message.body);
  },
});

export const bodies = internalQuery({
  args: { ids: v.array(v.id("messages")) },
  handler: async (ctx, { ids }) => {
    const out: string[] = [];
    for (const id of ids) {
      const message = await ctx.db.get(id);
      if (message !== null) out.push(message.body);
    }
    return out;
  },
});

export const similar = action({
  args: { channel: v.string(), embedding: v.array(v.float64()) },
  handler: async (ctx, { channel, embedding }): Promise<string[]> => {
    const results = await ctx.vectorSearch("messages", "by_embedding", { vector: embedding, limit: 2, filter: (q) => q.eq("channel", channel) });
    const ids: GenericId<"messages">[] = results.map((result) => result._id);
    const typed: Id<"messages">[] = ids;
    return await ctx.runQuery(internal.messages.bodies, { ids: typed });
  },
});
`,
};

describe("a Convex-style app with its imports rewritten", () => {
  async function typedProject() {
    const project = tempProject(FILES, cleanups);
    installSynclineTypes(project.root);
    await runCodegen({ dir: project.dir });
    return project;
  }

  it("type-checks with TypeScript 5.9", async () => {
    const project = await typedProject();
    const generated = readdirSync(join(project.dir, "_generated")).map((name) => `_generated/${name}`);
    expect(ts.version).toMatch(/^5\.9\./);
    expect(typeErrors(project.dir, [...Object.keys(FILES), ...generated])).toEqual([]);
  }, 60_000);

  it("type-checks with the newest TypeScript (7 or later)", async () => {
    const project = await typedProject();
    const newest = await installNewestTypeScript(project.root);
    expect(Number(newest.version.split(".")[0]), newest.version).toBeGreaterThanOrEqual(7);
    // Every file of the app checked (`_generated/` too, not counted), none with an error.
    expect(await tscErrors(newest, project.dir)).toEqual({ errors: [], checkedFiles: Object.keys(FILES).length });
  }, 120_000);

  it("answers every function through the official client", async () => {
    const project = tempProject(FILES, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
    cleanups.push(() => client.close());
    const api = anyApi.messages!;
    await client.mutation(api.send!, { author: "ada", body: "Searching for the lighthouse", channel: "sea", embedding: [1, 0, 0] });
    await client.mutation(api.send!, { author: "bob", body: "the light is on", channel: "sea", embedding: [0.9, 0.1, 0] });
    await client.mutation(api.send!, { author: "cy", body: "lighthouse keepers unite", channel: "land", embedding: [1, 0, 0] });
    await client.mutation(api.send!, { author: "dee", body: "no vector here", channel: "sea" });
    expect(await client.query(api.search!, { channel: "sea", text: "light" })).toEqual(["the light is on", "Searching for the lighthouse"]);
    expect(await client.action(api.similar!, { channel: "sea", embedding: [1, 0, 0] })).toEqual(["Searching for the lighthouse", "the light is on"]);
    const refused = await client.mutation(api.send!, { author: "ada", body: "  ", channel: "sea" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OfficialConvexError);
    expect((refused as OfficialConvexError<{ code: string }>).data).toEqual({ code: "EMPTY", channel: "sea" });
  });
});
