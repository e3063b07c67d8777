// Every transition shows the client's queries at one snapshot (design.md "all
// reads at one snapshot timestamp"; session.ts: "every result in it, and every result the client
// keeps, is valid at its end timestamp"). Two queries over two tables that one mutation changes
// together must never be shown half-updated.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import type { Transition } from "../../src/protocol/messages.js";
import { decodeTimestamp } from "../../src/protocol/timestamp.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

let project: TempProject;
let server: RunningServer;

beforeAll(async () => {
  project = tempProject({
    "bank.ts": `import { mutation, query } from "syncline/server";
      export const open = mutation(async (ctx) => { await ctx.db.insert("left", { amount: 100 }); await ctx.db.insert("right", { amount: 0 }); });
      // One unit from "left" to "right", in one transaction: left + right is always 100.
      export const move = mutation(async (ctx) => {
        const l = (await ctx.db.query("left").first())!; const r = (await ctx.db.query("right").first())!;
        await ctx.db.patch(l._id, { amount: l.amount - 1 });
        await ctx.db.patch(r._id, { amount: r.amount + 1 });
      });
      // "left" takes many reads (many event-loop turns) to answer, "right" one.
      export const left = query(async (ctx) => {
        let doc: any = null;
        for (let i = 0; i < 500; i++) doc = await ctx.db.query("left").first();
        return doc.amount;
      });
      export const right = query(async (ctx) => (await ctx.db.query("right").first())!.amount);`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

describe("one snapshot per transition", () => {
  it("two queries changed by one mutation are never shown half-applied", async () => {
    const writer = await openRawSocket(server.url);
    writer.send({ type: "Mutation", requestId: 0, udfPath: "bank:open", args: [{}] });
    await writer.next("MutationResponse");

    const reader = await openRawSocket(server.url);
    reader.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "bank:left", args: [{}] },
        { type: "Add", queryId: 1, udfPath: "bank:right", args: [{}] },
      ],
    });
    const shown = new Map<number, number>();
    const seen: { ts: bigint; left: number; right: number }[] = [];
    const apply = (t: Transition) => {
      for (const m of t.modifications) if (m.type === "QueryUpdated") shown.set(m.queryId, m.value as number);
      seen.push({ ts: decodeTimestamp(t.endVersion.ts), left: shown.get(0)!, right: shown.get(1)! });
    };
    apply(await reader.next("Transition"));

    for (let i = 1; i <= 5; i++) {
      writer.send({ type: "Mutation", requestId: i, udfPath: "bank:move", args: [{}] });
      await writer.next("MutationResponse");
      // Wait until the reader shows this move on both queries.
      while (!(shown.get(0) === 100 - i && shown.get(1) === i)) apply(await reader.next("Transition"));
    }
    // After every transition, what the client holds adds up.
    expect(seen.filter((s) => s.left + s.right !== 100)).toEqual([]);
    writer.close();
    reader.close();
  });
});
