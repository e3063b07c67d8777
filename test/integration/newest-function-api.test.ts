// The newer Convex function API a moved app relies on, through the official client:
// `ctx.meta.getSnapshotTs()` in queries and mutations, and `ctx.storage.get()` in mutations
// (existence read in the mutation's own transaction).

import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const FILES_TS = `import { action, mutation, query } from "syncline/server";
import { v } from "syncline/values";
export const snapshot = query({ args: {}, handler: async (ctx) => ctx.meta.getSnapshotTs() });
export const touch = mutation({
  args: {},
  handler: async (ctx) => {
    await ctx.db.insert("marks", { at: 1 });
    return ctx.meta.getSnapshotTs();
  },
});
export const save = action({ args: { text: v.string() }, handler: async (ctx, { text }) => await ctx.storage.store(new Blob([text], { type: "text/plain" })) });
export const readThenDelete = mutation({
  args: { id: v.id("_storage"), fail: v.boolean() },
  handler: async (ctx, { id, fail }) => {
    const before = await ctx.storage.get(id);
    await ctx.storage.delete(id);
    const after = await ctx.storage.get(id);
    if (fail) throw new Error("changed my mind");
    return { before: before === null ? null : [before.type, await before.text()], after };
  },
});
`;

describe("newest function API", () => {
  it("ctx.meta.getSnapshotTs() is a bigint that moves forward with commits", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
    cleanups.push(() => client.close());
    const api = anyApi.files!;
    const first = (await client.query(api.snapshot!, {})) as bigint;
    expect(typeof first).toBe("bigint");
    const inMutation = (await client.mutation(api.touch!, {})) as bigint;
    expect(inMutation >= first).toBe(true);
    const after = (await client.query(api.snapshot!, {})) as bigint;
    expect(after > inMutation).toBe(true); // the query sees the mutation's commit
  });

  it("ctx.storage.get() in a mutation reads the file, and a file it deleted is null; a throw deletes nothing", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
    cleanups.push(() => client.close());
    const api = anyApi.files!;
    const id = (await client.action(api.save!, { text: "hello file" })) as string;
    const failed = await client.mutation(api.readThenDelete!, { id, fail: true }).catch((error: Error) => error);
    expect(String((failed as Error).message)).toContain("changed my mind");
    expect(await client.mutation(api.readThenDelete!, { id, fail: false })).toEqual({ before: ["text/plain", "hello file"], after: null });
  });
});
