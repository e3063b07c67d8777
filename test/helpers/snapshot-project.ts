// The project the snapshot tests export and import: notes with an index and edge values, a
// scheduled job, a cron and stored files - everything a snapshot carries.

import type { Value } from "syncline/values";

/** The functions folder. */
export const FILES = {
  "schema.ts": `import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";
export default defineSchema({
  notes: defineTable({ room: v.string(), body: v.string(), extra: v.optional(v.any()) }).index("by_room", ["room"]),
  ticks: defineTable({ name: v.string() }),
});`,
  "notes.ts": `import { action, anyApi, internalMutation, mutation, query } from "syncline/server";
import { v } from "syncline/values";
const api = anyApi as any;
export const list = query({ args: { room: v.string() }, handler: (ctx, { room }) => ctx.db.query("notes").withIndex("by_room", (q) => q.eq("room", room)).collect() });
export const add = mutation({ args: { room: v.string(), body: v.string(), extra: v.optional(v.any()) }, handler: (ctx, args) => ctx.db.insert("notes", args) });
export const tick = internalMutation({ args: { name: v.string() }, handler: (ctx, { name }) => ctx.db.insert("ticks", { name }) });
export const ticks = query({ args: {}, handler: async (ctx) => (await ctx.db.query("ticks").collect()).map((tick) => tick.name).sort() });
export const later = mutation({ args: { name: v.string(), delayMs: v.number() }, handler: (ctx, { name, delayMs }) => ctx.scheduler.runAfter(delayMs, api.notes.tick, { name }) });
export const storeText = action({ args: { text: v.string() }, handler: (ctx, { text }) => ctx.storage.store(new Blob([text], { type: "text/plain" })) });
export const fileUrl = query({ args: { id: v.string() }, handler: (ctx, { id }) => ctx.storage.getUrl(id as any) });
`,
  "crons.ts": `import { anyApi, cronJobs } from "syncline/server";
const crons = cronJobs();
crons.interval("every minute", { minutes: 1 }, (anyApi as any).notes.tick, { name: "cron" });
export default crons;
`,
};

/** Every kind of value, the edges included: they must come back exactly. */
export const EDGE_VALUES: Value = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n, 0n],
  floats: [NaN, -0, Infinity, -Infinity, 1.5, Number.MIN_VALUE, Number.MAX_VALUE],
  bytes: new Uint8Array([0, 255, 7, 128]).buffer,
  empty: new ArrayBuffer(0),
  text: "h\u00e9llo \u{1F600} \u0000",
  nested: { list: [{ deep: [1n, "x", null, true] }], object: {} },
};

/** The (manual) clock's start: crons and jobs are due relative to it. */
export const START = Date.UTC(2030, 0, 1);
