// Live queries across a code reload, and paginated queries whose page bounds stay put (journals).

import { describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import type { QueryUpdated } from "../../src/protocol/messages.js";
import { openRawSocket, type RawSocket } from "../helpers/raw-socket.js";
import { startTestServer } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
function track<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

describe("code reload", () => {
  it("re-runs every live subscription on the new code; the socket stays open", async () => {
    const project = tempProject({ "a.ts": `import { query } from "syncline/server"; export const version = query(() => "one");` }, cleanups);
    const server: RunningServer = track(await startServer({ dir: project.dir, port: 0, db: testDatabase() }));
    const socket = track(await openRawSocket(server.url));
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "a:version", args: [{}] }] });
    expect((await socket.next("Transition")).modifications).toMatchObject([{ value: "one" }]);
    project.write("a.ts", `import { query } from "syncline/server"; export const version = query(() => "two");`);
    await server.reload();
    expect((await socket.next("Transition")).modifications).toMatchObject([{ queryId: 0, value: "two" }]);
  });
});

describe("paginated queries", () => {
  type Page = { page: { body: string; _id: string }[]; isDone: boolean; continueCursor: string };
  const addPage = (socket: RawSocket, version: number, queryId: number, cursor: string | null, journal?: string | null) =>
    socket.send({
      type: "ModifyQuerySet",
      baseVersion: version,
      newVersion: version + 1,
      modifications: [
        { type: "Add", queryId, udfPath: "behaviour:paged", args: [{ room: "pages", paginationOpts: { numItems: 2, cursor } }], ...(journal !== undefined ? { journal } : {}) },
      ],
    });

  it("keeps a page's bounds (endCursor in the journal) as the list changes and after a reconnect", async () => {
    const server = track(await startTestServer());
    const writer = track(await openRawSocket(server.url));
    for (let i = 0; i < 5; i++) {
      writer.send({ type: "Mutation", requestId: i, udfPath: "behaviour:send", args: [{ room: "pages", body: `m${i}` }] });
      await writer.next("MutationResponse");
    }
    const reader = track(await openRawSocket(server.url));
    addPage(reader, 0, 0, null);
    const first = (await reader.next("Transition")).modifications[0] as QueryUpdated;
    const page = first.value as Page;
    expect(page.page.map((m) => m.body)).toEqual(["m0", "m1"]);
    expect(page.isDone).toBe(false);
    expect(first.journal).toEqual(expect.any(String));

    // Deleting a row inside the page shrinks it; the page does not pull in m2 from the next one.
    writer.send({ type: "Mutation", requestId: 10, udfPath: "behaviour:remove", args: [{ id: page.page[1]!._id }] });
    const shrunk = (await reader.next("Transition")).modifications[0] as QueryUpdated;
    expect((shrunk.value as Page).page.map((m) => m.body)).toEqual(["m0"]);

    // A new socket re-adding the query with the journal gets the same bounds.
    const again = track(await openRawSocket(server.url));
    addPage(again, 0, 0, null, first.journal);
    const reloaded = (await again.next("Transition")).modifications[0] as QueryUpdated;
    expect((reloaded.value as Page).page.map((m) => m.body)).toEqual(["m0"]);
    expect((reloaded.value as Page).continueCursor).toBe(page.continueCursor);
  });

  it("an unusable cursor fails with InvalidCursor data", async () => {
    const server = track(await startTestServer());
    const socket = track(await openRawSocket(server.url));
    addPage(socket, 0, 0, "not-a-cursor");
    expect((await socket.next("Transition")).modifications[0]).toMatchObject({ type: "QueryFailed", errorData: { paginationError: "InvalidCursor" } });
  });
});
