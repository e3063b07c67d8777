// Pagination journals (protocol.md §3 "journal", §14). A client re-adding a page
// with its journal must get that page's bounds back, even when another socket already watches the
// same query (same function, arguments and identity) with different bounds.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import type { QueryUpdated } from "../../src/protocol/messages.js";
import { openRawSocket, type RawSocket } from "../helpers/raw-socket.js";
import { startTestServer } from "../helpers/server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Page = { page: { body: string; _id: string }[]; isDone: boolean; continueCursor: string };
const ROOM = "journal-room";
const addPage = (socket: RawSocket, journal?: string | null) =>
  socket.send({
    type: "ModifyQuerySet",
    baseVersion: 0,
    newVersion: 1,
    modifications: [
      { type: "Add", queryId: 0, udfPath: "behaviour:paged", args: [{ room: ROOM, paginationOpts: { numItems: 2, cursor: null } }], ...(journal !== undefined ? { journal } : {}) },
    ],
  });

describe("journals", () => {
  it("a page re-added with its journal keeps its own bounds while another socket shows the same query with other bounds", async () => {
    const writer = await openRawSocket(server.url);
    for (let i = 0; i < 5; i++) {
      writer.send({ type: "Mutation", requestId: i, udfPath: "behaviour:send", args: [{ room: ROOM, body: `m${i}` }] });
      await writer.next("MutationResponse");
    }

    // Client B shows the first page: m0, m1 (ends after m1). Then its socket drops.
    const b = await openRawSocket(server.url, { sessionId: "b" });
    addPage(b);
    const bFirst = (await b.next("Transition")).modifications[0] as QueryUpdated;
    const bPage = bFirst.value as Page;
    expect(bPage.page.map((m) => m.body)).toEqual(["m0", "m1"]);
    b.close();
    await b.closed;

    // m0 goes away; client A opens the same first page afresh: m1, m2 (ends after m2).
    writer.send({ type: "Mutation", requestId: 10, udfPath: "behaviour:remove", args: [{ id: bPage.page[0]!._id }] });
    await writer.next("MutationResponse");
    const a = await openRawSocket(server.url);
    addPage(a);
    const aFirst = (await a.next("Transition")).modifications[0] as QueryUpdated;
    expect((aFirst.value as Page).page.map((m) => m.body)).toEqual(["m1", "m2"]);

    // B reconnects and re-adds its page with its journal: the rows up to its own end cursor (m1 only),
    // so its second page (which starts after m1) and this one neither overlap nor leave a gap.
    const b2 = await openRawSocket(server.url, { sessionId: "b" });
    addPage(b2, bFirst.journal);
    const reAdded = (await b2.next("Transition")).modifications[0] as QueryUpdated;
    expect((reAdded.value as Page).page.map((m) => m.body)).toEqual(["m1"]);
    expect((reAdded.value as Page).continueCursor).toBe(bPage.continueCursor);
    expect(reAdded.journal).toBe(bFirst.journal);
    for (const socket of [writer, a, b2]) socket.close();
  });
});
