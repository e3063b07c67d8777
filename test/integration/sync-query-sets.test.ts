// Query set versions (protocol.md §5). A transition whose endVersion.querySet is N
// describes the query set as of ModifyQuerySet N: it must not already carry the effects of a later
// ModifyQuerySet (here a QueryRemoved) that the server has not confirmed yet.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

let project: TempProject;
let server: RunningServer;

beforeAll(async () => {
  project = tempProject({
    "q.ts": `import { query } from "syncline/server";
      export const fast = query(() => "fast");
      // Many small reads: its first result takes many event-loop turns.
      export const slow = query(async (ctx) => {
        for (let i = 0; i < 3000; i++) await ctx.db.query("things").collect();
        return "slow";
      });`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

describe("query set versions", () => {
  it("a Remove is confirmed only in a transition that reaches its ModifyQuerySet's version", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "q:fast", args: [{}] }] });
    expect((await socket.next("Transition")).endVersion.querySet).toBe(1);

    // Version 2 swaps the fast query for a slow one.
    socket.send({
      type: "ModifyQuerySet",
      baseVersion: 1,
      newVersion: 2,
      modifications: [
        { type: "Add", queryId: 1, udfPath: "q:slow", args: [{}] },
        { type: "Remove", queryId: 0 },
      ],
    });
    const transitions = [];
    for (;;) {
      const transition = await socket.next("Transition", 10_000);
      transitions.push(transition);
      if (transition.endVersion.querySet === 2) break;
    }
    // Every transition that says QueryRemoved for query 0 is at query set version 2 or later.
    const removals = transitions.filter((t) => t.modifications.some((m) => m.type === "QueryRemoved" && m.queryId === 0));
    expect(removals.map((t) => t.endVersion.querySet)).toEqual([2]);
    socket.close();
  });
});
