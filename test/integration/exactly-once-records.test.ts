// A committed mutation's exactly-once record (protocol.md §8) must never make a legal mutation
// fail: results and log lines past the document limits (1 MiB, nesting 64) are recorded too, and a
// resend is answered from the record.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

let project: TempProject;
let server: RunningServer;

beforeAll(async () => {
  project = tempProject({
    "records.ts": `import { mutation, query } from "syncline/server";
      // Two strings of 700 KB: every value is within the limits of protocol.md §11.2 (strings < 1 MiB),
      // but together they are over 1 MiB - a return value, not a document.
      export const bigResult = mutation(async (ctx, { tag }: { tag: string }) => {
        await ctx.db.insert("items", { tag });
        return ["x".repeat(700_000), "y".repeat(700_000)];
      });
      // 150 log lines of about 10 KB (inspect cuts a string at 10,000 characters): under the 256-line bound.
      export const chatty = mutation(async (ctx, { tag }: { tag: string }) => {
        for (let i = 0; i < 150; i++) console.log("z".repeat(30_000));
        await ctx.db.insert("items", { tag });
        return "done";
      });
      // A result nested exactly 64 levels deep: the nesting limit allows it.
      export const deepResult = mutation(async (ctx, { tag }: { tag: string }) => {
        await ctx.db.insert("items", { tag });
        let value: unknown = "leaf";
        for (let i = 0; i < 64; i++) value = [value];
        return value as string;
      });
      export const count = query(async (ctx, { tag }: { tag: string }) => (await ctx.db.query("items").collect()).filter((d) => d.tag === tag).length);`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

async function overSocket(udfPath: string, tag: string, sessionId?: string) {
  const socket = await openRawSocket(server.url, sessionId === undefined ? {} : { sessionId });
  socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
  await socket.next("Transition");
  socket.send({ type: "Mutation", requestId: 0, udfPath, args: [{ tag }] as never });
  const response = await socket.next("MutationResponse", 20_000);
  socket.close();
  return response;
}

describe("a mutation's exactly-once record never makes a legal mutation fail", () => {
  it.each([
    ["records:bigResult", "a result over 1 MiB"],
    ["records:chatty", "log lines over 1 MiB"],
    ["records:deepResult", "a result nested 64 levels"],
  ])("%s (%s) succeeds over HTTP and over the WebSocket alike", async (udfPath, _what) => {
    const http = await call(server.url, "mutation", udfPath, { tag: `${udfPath}-http` });
    expect(http.body.status, JSON.stringify(http.body).slice(0, 300)).toBe("success"); // the call itself is legal

    const response = await overSocket(udfPath, `${udfPath}-ws`);
    expect(response, JSON.stringify(response).slice(0, 300)).toMatchObject({ success: true });
    // ...and its write is kept.
    expect((await call(server.url, "query", "records:count", { tag: `${udfPath}-ws` })).body.value).toBe(1);
  });
});

describe("a resend of a mutation with a large record", () => {
  it("is answered from the record: the same result and ts, and the mutation does not run again", async () => {
    const sessionId = crypto.randomUUID();
    const first = await overSocket("records:bigResult", "resent", sessionId);
    expect(first).toMatchObject({ success: true });
    const again = await overSocket("records:bigResult", "resent", sessionId);
    expect(again).toEqual(first);
    expect((first as { result: string[] }).result.map((text) => text.length)).toEqual([700_000, 700_000]);
    expect((await call(server.url, "query", "records:count", { tag: "resent" })).body.value).toBe(1);
  });
});

