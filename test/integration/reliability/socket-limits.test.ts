// The limits a hostile or careless client meets on one socket or connection, each with a clear
// answer and nothing lost for anyone else: a flood of mutations is slowed by backpressure (never
// refused or answered with an internal error), queries past the per-socket limit fail one by
// one, an oversized frame closes only its socket, and a client sending headers a byte at a time
// (slowloris) is cut off after the headers timeout on both ports.

import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import type { AddQuery, ServerMessage } from "../../../src/protocol/messages.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { openRawSocket, type RawSocket } from "../../helpers/raw-socket.js";
import { call } from "../../helpers/server.js";
import { waitFor } from "../../helpers/wait.js";
import { startReliabilityServer } from "./support.js";

const cleanups = cleanupAfterEach();

/** Opens a raw socket that `cleanups` closes. */
async function socketTo(url: string): Promise<RawSocket> {
  const socket = await openRawSocket(url);
  cleanups.push(() => socket.close());
  return socket;
}

function responses(socket: RawSocket): Extract<ServerMessage, { type: "MutationResponse" }>[] {
  return socket.received.filter((message): message is Extract<ServerMessage, { type: "MutationResponse" }> => message.type === "MutationResponse");
}

describe("limits per socket", () => {
  it("a flood of mutations on one socket is slowed by backpressure: all answered in order, nothing refused, others served", async () => {
    const errors: string[] = [];
    const server = await startReliabilityServer(cleanups, {
      maxRequestsInFlightPerSocket: 8,
      logger: { info() {}, warn() {}, error: (line) => void errors.push(line), functionLine() {} },
    });
    const flooder = await socketTo(server.url);
    flooder.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    // Far more than the 8 in flight at which the server stops reading the socket.
    const FLOOD = 1000;
    for (let requestId = 0; requestId < FLOOD; requestId++) {
      flooder.send({ type: "Mutation", requestId, udfPath: "load:increment", args: [{ name: `flood${requestId % 4}` }] });
    }
    const other = await socketTo(server.url);
    other.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    other.send({ type: "Mutation", requestId: 0, udfPath: "load:increment", args: [{ name: "other" }] });
    expect(await other.next("MutationResponse", 20_000)).toMatchObject({ success: true, result: 1 });
    await waitFor(() => responses(flooder).length, (count) => count === FLOOD, 60_000);
    const answered = responses(flooder);
    expect(answered.map((response) => response.requestId)).toEqual(Array.from({ length: FLOOD }, (_, i) => i));
    expect(answered.every((response) => response.success)).toBe(true);
    expect(flooder.received.some((message) => message.type === "FatalError")).toBe(false);
    expect(errors).toEqual([]);
  }, 90_000);

  it("queries past maxSubscriptionsPerSocket fail one by one with the limit in the message; removing one makes room", async () => {
    const server = await startReliabilityServer(cleanups, { maxSubscriptionsPerSocket: 3 });
    const socket = await socketTo(server.url);
    const add = (queryId: number): AddQuery => ({ type: "Add", queryId, udfPath: "load:count", args: [{ name: `q${queryId}` }] });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [0, 1, 2, 3, 4].map(add) });
    const first = await socket.next("Transition");
    const byId = new Map(first.modifications.map((change) => [(change as { queryId: number }).queryId, change]));
    for (const queryId of [0, 1, 2]) expect(byId.get(queryId)).toMatchObject({ type: "QueryUpdated", value: 0 });
    for (const queryId of [3, 4]) {
      expect(byId.get(queryId)).toMatchObject({ type: "QueryFailed", errorMessage: expect.stringContaining("already holds 3 queries") });
    }
    socket.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }, { type: "Remove", queryId: 3 }, add(5)] });
    const second = await socket.next("Transition");
    expect(second.modifications).toContainEqual(expect.objectContaining({ type: "QueryUpdated", queryId: 5, value: 0 }));
    // The live ones still follow commits.
    await call(server.url, "mutation", "load:increment", { name: "q1" });
    const third = await socket.next("Transition");
    expect(third.modifications).toContainEqual(expect.objectContaining({ queryId: 1, value: 1 }));
  });

  it("a frame over maxFrameBytes closes its socket with 1009; another socket is untouched", async () => {
    const server = await startReliabilityServer(cleanups, { maxFrameBytes: 4096 });
    const bystander = await socketTo(server.url);
    bystander.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "load:count", args: [{ name: "b" }] }] });
    await bystander.next("Transition");
    const hostile = await socketTo(server.url);
    hostile.send({ type: "Mutation", requestId: 0, udfPath: "load:increment", args: [{ name: "x".repeat(8000) }] });
    expect((await hostile.closed).code).toBe(1009);
    await call(server.url, "mutation", "load:increment", { name: "b" });
    expect((await bystander.next("Transition")).modifications).toContainEqual(expect.objectContaining({ queryId: 0, value: 1 }));
  });
});

describe("a client sending its headers a byte at a time (slowloris)", () => {
  for (const port of ["api", "site"] as const) {
    it(`is answered 408 and cut off after headersTimeoutMs on the ${port} port`, async () => {
      const server = await startReliabilityServer(cleanups, { headersTimeoutMs: 400 });
      const { hostname, port: number } = new URL(port === "api" ? server.url : server.siteUrl);
      const socket = connect(Number(number), hostname);
      cleanups.push(() => socket.destroy());
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
      const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      socket.write(`GET /api/x HTTP/1.1\r\nHost: ${hostname}\r\n`);
      const trickle = setInterval(() => socket.write("X-Slow: y\r\n"), 100);
      cleanups.push(() => clearInterval(trickle));
      const started = Date.now();
      await closed;
      clearInterval(trickle);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    });
  }
});
