// An AppError whose `data` is not a value (a Date, an int64 out of range,
// undefined inside an array). protocol.md §11.1: such things "are not values: encoding throws an
// error that names the path to the bad part"; the brief of the values API: a non-value `data`
// gives a clear error. The call fails with a message naming the bad part, and every transport
// answers it: no unhandled rejection, no caller left waiting, no mutation queue stuck.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { call } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const ERRORS_TS = `import { action, mutation, query } from "syncline/server";
import { AppError, v } from "syncline/values";
const bad = (kind: string): any =>
  kind === "date" ? { when: new Date(0) } : kind === "huge" ? { n: 2n ** 64n } : [1, undefined];
export const failQuery = query({ args: { kind: v.string() }, handler: async (_ctx, { kind }) => { throw new AppError(bad(kind)); } });
export const failMutation = mutation({ args: { kind: v.string() }, handler: async (_ctx, { kind }) => { throw new AppError(bad(kind)); } });
export const failAction = action({ args: { kind: v.string() }, handler: async (_ctx, { kind }) => { throw new AppError(bad(kind)); } });
export const ok = mutation({ args: {}, handler: async () => "fine" });
`;

// Unhandled rejections the server leaves behind while a test runs (vitest also reports them).
let escaped: unknown[] = [];
const onRejection = (reason: unknown) => escaped.push(reason);
beforeEach(() => {
  escaped = [];
  process.on("unhandledRejection", onRejection);
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
});

async function serve(): Promise<RunningServer> {
  const project = tempProject({ "errors.ts": ERRORS_TS }, cleanups);
  const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
  cleanups.push(() => server.close());
  return server;
}

describe("AppError with data that is not a value", () => {
  it("a mutation over the WebSocket gets a failed MutationResponse, and the session's next mutation still runs", async () => {
    const server = await serve();
    const socket = await openRawSocket(server.url);
    cleanups.push(() => socket.close());
    socket.send({ type: "Mutation", requestId: 0, udfPath: "errors:failMutation", args: [{ kind: "date" }] });
    socket.send({ type: "Mutation", requestId: 1, udfPath: "errors:ok", args: [{}] });
    const answers = [await socket.next("MutationResponse", 3000), await socket.next("MutationResponse", 3000)];
    expect(answers[0]).toMatchObject({ requestId: 0, success: false });
    expect(answers[1]).toMatchObject({ requestId: 1, success: true, result: "fine" });
    expect(escaped).toEqual([]);
  });

  it("an action over the WebSocket gets a failed ActionResponse naming the bad part", async () => {
    const server = await serve();
    const socket = await openRawSocket(server.url);
    cleanups.push(() => socket.close());
    socket.send({ type: "Action", requestId: 0, udfPath: "errors:failAction", args: [{ kind: "huge" }] });
    const answer = await socket.next("ActionResponse", 3000);
    expect(answer).toMatchObject({ requestId: 0, success: false });
    expect(escaped).toEqual([]);
  });

  it("a subscribed query gets QueryFailed, and the socket keeps answering", async () => {
    const server = await serve();
    const socket = await openRawSocket(server.url);
    cleanups.push(() => socket.close());
    socket.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [{ type: "Add", queryId: 0, udfPath: "errors:failQuery", args: [{ kind: "array" }] }],
    });
    const transition = await socket.next("Transition", 3000);
    expect(transition.modifications).toEqual([expect.objectContaining({ type: "QueryFailed", queryId: 0 })]);
    expect(escaped).toEqual([]);
  });

  it("over HTTP, /api/mutation answers with an error body (not a dropped connection or a 500 without a message)", async () => {
    const server = await serve();
    const answer = await call(server.url, "mutation", "errors:failMutation", { kind: "date" });
    expect(answer.body.status).toBe("error");
    expect(String(answer.body.errorMessage)).toMatch(/Date/);
  });
});
