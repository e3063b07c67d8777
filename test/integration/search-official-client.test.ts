// A Convex-style app with a search index, its imports rewritten to syncline only, served by the
// real server and driven by the official `convex` client: a live search subscription changes
// when a matching document is inserted, patched and deleted, and stays put for a write that
// does not touch it.

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
  messages: defineTable({ body: v.string(), channel: v.string() })
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] }),
});
`;

const MESSAGES_TS = `import { mutation, query } from "syncline/server";
import { v } from "syncline/values";
export const search = query({
  args: { text: v.string(), channel: v.string() },
  handler: async (ctx, { text, channel }) => {
    const found = await ctx.db
      .query("messages")
      .withSearchIndex("search_body", (q) => q.search("body", text).eq("channel", channel))
      .take(10);
    return found.map((message) => message.body);
  },
});
export const send = mutation({
  args: { body: v.string(), channel: v.string() },
  handler: async (ctx, args) => await ctx.db.insert("messages", args),
});
export const edit = mutation({
  args: { id: v.id("messages"), body: v.string() },
  handler: async (ctx, { id, body }) => { await ctx.db.patch(id, { body }); },
});
export const remove = mutation({
  args: { id: v.id("messages") },
  handler: async (ctx, { id }) => { await ctx.db.delete(id); },
});
`;

/** Collects a subscription's results and waits for one that passes a test. */
function watch(client: ConvexClient, text: string, channel: string) {
  const seen: string[][] = [];
  const waiters: { test: (value: string[]) => boolean; resolve: (value: string[]) => void }[] = [];
  const stop = client.onUpdate(anyApi.messages!.search!, { text, channel }, (value: string[]) => {
    seen.push(value);
    for (const waiter of [...waiters]) {
      if (waiter.test(value)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(value);
      }
    }
  });
  const until = (test: (value: string[]) => boolean) =>
    new Promise<string[]>((resolve) => {
      const last = seen.at(-1);
      if (last !== undefined && test(last)) resolve(last);
      else waiters.push({ test, resolve });
    });
  return { seen, until, stop };
}

describe("search through the official client", () => {
  it("a live search follows inserts, patches and deletes of matching documents", async () => {
    const project = tempProject({ "schema.ts": SCHEMA_TS, "messages.ts": MESSAGES_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
    cleanups.push(() => client.close());
    const api = anyApi.messages!;

    await client.mutation(api.send!, { body: "hello world", channel: "general" });
    await client.mutation(api.send!, { body: "hello hello there", channel: "general" });
    await client.mutation(api.send!, { body: "hello from elsewhere", channel: "random" });
    const live = watch(client, "hel", "general");
    cleanups.push(() => live.stop());
    expect(await live.until((value) => value.length === 2)).toEqual(["hello hello there", "hello world"]);

    const id = (await client.mutation(api.send!, { body: "help wanted", channel: "general" })) as string;
    expect(await live.until((value) => value.length === 3)).toContain("help wanted");

    await client.mutation(api.edit!, { id, body: "nothing to see" });
    expect(await live.until((value) => !value.includes("help wanted"))).toEqual(["hello hello there", "hello world"]);

    await client.mutation(api.edit!, { id, body: "hello again" });
    expect(await live.until((value) => value.includes("hello again"))).toHaveLength(3);

    const updates = live.seen.length;
    await client.mutation(api.send!, { body: "unrelated words", channel: "general" });
    await client.mutation(api.send!, { body: "hello but elsewhere", channel: "random" });
    await client.mutation(api.remove!, { id });
    expect(await live.until((value) => !value.includes("hello again"))).toEqual(["hello hello there", "hello world"]);
    // The two writes that did not touch the search caused no update; only the delete did.
    expect(live.seen.length).toBe(updates + 1);
  });
});
