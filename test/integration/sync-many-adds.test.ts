// Many queries added in one ModifyQuerySet run together, a batch of them on one snapshot of one
// read transaction (not one transaction each), and nothing of the per-query guarantees is lost:
// the first transition holds every result at one timestamp, a failing query fails alone, and each
// query's read set stays its own - a later commit re-runs only the queries it touched.

import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import type { DatabaseStats } from "../../src/server/db/types.js";
import type { AddQuery, StateModification } from "../../src/protocol/messages.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const COUNT = 300;

let project: TempProject;
let server: RunningServer;

beforeAll(async () => {
  project = tempProject({
    "schema.ts": `import { defineSchema, defineTable } from "syncline/server";
      import { v } from "syncline/values";
      export default defineSchema({ items: defineTable({ x: v.number(), title: v.string() }).index("by_x", ["x"]) });`,
    "items.ts": `import { mutation, query } from "syncline/server";
      import { v } from "syncline/values";
      export const seed = mutation({ args: { count: v.number() }, handler: async (ctx, { count }) => {
        for (let x = 0; x < count; x++) await ctx.db.insert("items", { x, title: "item " + x });
      } });
      export const insert = mutation({ args: { x: v.number(), title: v.string() }, handler: (ctx, args) => ctx.db.insert("items", args) });
      export const titles = query({ args: { x: v.number() }, handler: async (ctx, { x }) => {
        if (x === 7) throw new Error("seven is refused");
        const docs = await ctx.db.query("items").withIndex("by_x", (q) => q.eq("x", x)).collect();
        return docs.map((doc) => doc.title);
      } });
      // Counts the executions running at once (the test runs the server in its own process).
      const counter = globalThis as unknown as { inFlight?: number; mostInFlight?: number };
      export const probe = query({ args: { x: v.number() }, handler: async (ctx, { x }) => {
        counter.inFlight = (counter.inFlight ?? 0) + 1;
        counter.mostInFlight = Math.max(counter.mostInFlight ?? 0, counter.inFlight);
        try {
          const doc = await ctx.db.query("items").withIndex("by_x", (q) => q.eq("x", x % ${COUNT})).first();
          return doc?.title ?? null;
        } finally {
          counter.inFlight--;
        }
      } });`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
  await server.runtime.mutation("items:seed", { count: COUNT }, { origin: "server", identity: null });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

const reads = () => (server.db as unknown as { stats(): DatabaseStats }).stats().reads;
const add = (x: number): AddQuery => ({ type: "Add", queryId: x, udfPath: "items:titles", args: [{ x }] });
const byQuery = (modifications: StateModification[]) => new Map(modifications.map((m) => [m.queryId, m]));

it("answers one ModifyQuerySet's queries from a few shared snapshots, at one timestamp, each failure its own", async () => {
  const socket = await openRawSocket(server.url);
  const readsBefore = reads();
  socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: Array.from({ length: COUNT }, (_, x) => add(x)) });
  const first = await socket.next("Transition", 30_000);
  expect(first.endVersion.querySet).toBe(1);
  const results = byQuery(first.modifications);
  expect(results.size).toBe(COUNT);
  for (let x = 0; x < COUNT; x++) {
    const result = results.get(x)!;
    if (x === 7) expect(result).toMatchObject({ type: "QueryFailed", errorMessage: expect.stringContaining("seven is refused") });
    else expect(result).toMatchObject({ type: "QueryUpdated", value: [`item ${x}`] });
  }
  // One transaction per query would be COUNT reads; the batches share theirs.
  expect(reads() - readsBefore).toBeLessThan(COUNT / 10);
  socket.close();
});

it("keeps each batched query's read set exact: a commit re-runs only the queries it touched", async () => {
  const socket = await openRawSocket(server.url);
  socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: Array.from({ length: COUNT }, (_, x) => add(x)) });
  await socket.next("Transition", 30_000);
  const executions = server.runtime.executionCount("items:titles");
  await server.runtime.mutation("items:insert", { x: 42, title: "another 42" }, { origin: "server", identity: null });
  const next = await socket.next("Transition", 30_000);
  expect(next.modifications).toEqual([expect.objectContaining({ type: "QueryUpdated", queryId: 42, value: ["item 42", "another 42"] })]);
  expect(server.runtime.executionCount("items:titles") - executions).toBe(1);
  socket.close();
});

it("runs no more queries at once than the engine takes with profit (SQLite: a batch; Postgres: many)", async () => {
  const counter = globalThis as unknown as { inFlight?: number; mostInFlight?: number };
  counter.mostInFlight = 0;
  const limit = (server.db as unknown as { readsInFlight: number }).readsInFlight;
  const count = Math.min(2 * limit, 1_500);
  const socket = await openRawSocket(server.url);
  const probes = Array.from({ length: count }, (_, x): AddQuery => ({ type: "Add", queryId: x, udfPath: "items:probe", args: [{ x }] }));
  socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: probes });
  const first = await socket.next("Transition", 30_000);
  expect(first.modifications).toHaveLength(count);
  expect(counter.mostInFlight).toBeGreaterThan(1); // they do run together
  expect(counter.mostInFlight).toBeLessThanOrEqual(limit);
  socket.close();
});
