// What ctx.runQuery hands an action. Query results are cached and shared ("a hit is the
// result running the query now would give"); an action owns the value it gets back.

import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { call, post } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const NOTES_TS = `import { action, query, mutation, anyApi } from "syncline/server";
import { v } from "syncline/values";
const api = anyApi as any;
export const add = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => { await ctx.db.insert("notes", { text }); } });
export const list = query({ args: {}, handler: async (ctx) => (await ctx.db.query("notes").collect()).map((n) => n.text) });
// Works on its copy of the list: appends a draft it never saves.
export const preview = action({ args: { draft: v.string() }, handler: async (ctx, { draft }) => {
  const texts: string[] = await ctx.runQuery(api.notes.list, {});
  texts.push(draft);
  return texts;
} });
export const read = action({ args: {}, handler: (ctx) => ctx.runQuery(api.notes.list, {}) });
`;

describe("ctx.runQuery results", () => {
  it("an action changing the value runQuery gave it does not change what the next caller of that query gets", async () => {
    const project = tempProject({ "notes.ts": NOTES_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    await call(server.url, "mutation", "notes:add", { text: "saved" });

    expect((await call(server.url, "action", "notes:preview", { draft: "draft one" })).body.value).toEqual(["saved", "draft one"]);
    // Nothing was written since: the query's answer is still ["saved"].
    expect((await call(server.url, "action", "notes:read", {})).body.value).toEqual(["saved"]);
    expect((await call(server.url, "action", "notes:preview", { draft: "draft two" })).body.value).toEqual(["saved", "draft two"]);
  });

  it("...nor what a client reading the query as plain JSON over HTTP gets", async () => {
    const project = tempProject({ "notes.ts": NOTES_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    await call(server.url, "mutation", "notes:add", { text: "saved" });
    expect((await call(server.url, "action", "notes:preview", { draft: "never saved" })).body.value).toEqual(["saved", "never saved"]);
    const plain = await post(server.url, "/api/query", { path: "notes:list", args: [{}], format: "json" });
    expect(plain.body.value).toEqual(["saved"]);
  });
});
