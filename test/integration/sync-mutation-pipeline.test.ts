// One socket's mutations in flight (session-requests.ts): each starts once the one before it is
// in the database's write queue, so they share group commits - and still run in arrival order,
// each seeing the one before, are answered in that order (also those that fail before they reach
// the queue), and every answer is followed by a transition that shows it (protocol.md §7).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import type { MutationResponse, ServerMessage, Transition } from "../../src/protocol/messages.js";
import { decodeTimestamp } from "../../src/protocol/timestamp.js";
import type { OpenedDatabase } from "../../src/server/db/index.js";
import { openRawSocket, type RawSocket } from "../helpers/raw-socket.js";
import { startTestServer } from "../helpers/server.js";

let server: RunningServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

/** A socket watching `counter:get {name}` whose first transition arrived. */
async function watchingSocket(name: string): Promise<RawSocket> {
  const socket = await openRawSocket(server.url);
  socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "counter:get", args: [{ name }] }] });
  await socket.next("Transition");
  return socket;
}

async function responses(socket: RawSocket, count: number): Promise<MutationResponse[]> {
  const out: MutationResponse[] = [];
  while (out.length < count) out.push(await socket.next("MutationResponse", 20_000));
  return out;
}

/** Waits for the transition showing the watched counter at `value`. */
async function untilValue(socket: RawSocket, value: number): Promise<void> {
  for (let shown: unknown; shown !== value; ) {
    const update = (await socket.next("Transition")).modifications.find((m) => m.type === "QueryUpdated");
    if (update?.type === "QueryUpdated") shown = update.value;
  }
}

/** Every successful response is followed (later on the socket) by a transition reaching its ts. */
function eachShownByALaterTransition(received: readonly ServerMessage[]): void {
  received.forEach((message, index) => {
    if (message.type !== "MutationResponse" || !message.success) return;
    const ts = decodeTimestamp(message.ts);
    const shown = received.slice(index + 1).some((later) => later.type === "Transition" && decodeTimestamp((later as Transition).endVersion.ts) >= ts);
    expect(shown, `a transition reaching the ts of request ${message.requestId} follows its response`).toBe(true);
  });
}

describe("mutations in flight on one socket", () => {
  it("run in arrival order, each seeing the one before, share group commits, and are answered in order", async () => {
    const socket = await watchingSocket("pipelined");
    const count = 40;
    const batchesBefore = (server.db as OpenedDatabase).stats().batches;
    for (let requestId = 0; requestId < count; requestId++) {
      socket.send({ type: "Mutation", requestId, udfPath: "counter:increment", args: [{ name: "pipelined" }] });
    }
    const answers = await responses(socket, count);
    expect(answers.map((a) => a.requestId)).toEqual(Array.from({ length: count }, (_, i) => i));
    // Serial: each increment read the value the one before it wrote.
    expect(answers.map((a) => (a.success ? a.result : a.result))).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const timestamps = answers.map((a) => (a.success ? decodeTimestamp(a.ts) : -1n));
    for (let i = 1; i < count; i++) expect(timestamps[i]! > timestamps[i - 1]!).toBe(true);
    // Waiting for each one's flush before starting the next would take one batch per mutation.
    const batches = (server.db as OpenedDatabase).stats().batches - batchesBefore;
    expect(batches).toBeLessThan(count / 4);
    await untilValue(socket, count); // the last mutation's effect reaches the client
    eachShownByALaterTransition(socket.received);
    socket.close();
  });

  it("a mutation that fails before it is queued, or inside its transaction, is answered in its place and changes nothing", async () => {
    const socket = await watchingSocket("mixed");
    socket.send({ type: "Mutation", requestId: 0, udfPath: "counter:increment", args: [{ name: "mixed" }] });
    socket.send({ type: "Mutation", requestId: 1, udfPath: "counter:nope", args: [{}] }); // fails before the write queue
    socket.send({ type: "Mutation", requestId: 2, udfPath: "counter:increment", args: [{ name: "mixed" }] });
    socket.send({ type: "Mutation", requestId: 3, udfPath: "counter:increment", args: [5 as never] }); // fails inside its transaction
    socket.send({ type: "Mutation", requestId: 4, udfPath: "counter:increment", args: [{ name: "mixed" }] });
    const answers = await responses(socket, 5);
    expect(answers.map((a) => [a.requestId, a.success])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, false],
      [4, true],
    ]);
    expect(answers.filter((a) => a.success).map((a) => a.result)).toEqual([1, 2, 3]);
    expect(answers[1]!.result).toMatch(/Could not find public function for 'counter:nope'/);
    expect(answers[3]!.result).toMatch(/must be an object/);
    await untilValue(socket, 3);
    eachShownByALaterTransition(socket.received);
    socket.close();
  });

  it("two sockets' mutations interleave in one serial order: every increment is counted once", async () => {
    const [a, b] = [await watchingSocket("shared"), await watchingSocket("shared")];
    for (let requestId = 0; requestId < 25; requestId++) {
      a.send({ type: "Mutation", requestId, udfPath: "counter:increment", args: [{ name: "shared" }] });
      b.send({ type: "Mutation", requestId, udfPath: "counter:increment", args: [{ name: "shared" }] });
    }
    const [fromA, fromB] = await Promise.all([responses(a, 25), responses(b, 25)]);
    const values = [...fromA, ...fromB].map((r) => (r.success ? r.result : null));
    expect(new Set(values).size).toBe(50);
    expect(Math.max(...(values as number[]))).toBe(50);
    for (const answers of [fromA, fromB]) {
      const mine = answers.map((r) => r.result as number);
      expect(mine).toEqual([...mine].sort((x, y) => x - y)); // each socket's in its own order
    }
    a.close();
    b.close();
  });
});
