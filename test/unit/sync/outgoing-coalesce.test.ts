// Outgoing (src/server/sync/outgoing.ts) over a real `ws` pair on loopback: the small frames sent
// in one tick leave the TCP socket in one write (one system call for a group commit's answers),
// in order, and nothing stays held after the tick; a large frame lets out what is held first.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { ServerMessage } from "../../../src/protocol/messages.js";
import { Outgoing } from "../../../src/server/sync/outgoing.js";

let http: Server;
let serverSide: WebSocket;
let client: WebSocket;
let received: ServerMessage[];

beforeEach(async () => {
  http = createServer();
  const wss = new WebSocketServer({ server: http });
  const connected = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  received = [];
  client.on("message", (data) => received.push(JSON.parse(data.toString()) as ServerMessage));
  serverSide = await connected;
});
afterEach(async () => {
  client.terminate();
  await new Promise((resolve) => http.close(resolve));
});

/** Counts the writes the TCP socket under the server's WebSocket hands to the kernel. */
function countWrites(): { count: number } {
  const raw = (serverSide as unknown as { _socket: { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void } })._socket;
  const counter = { count: 0 };
  for (const method of ["_write", "_writev"] as const) {
    const original = raw[method].bind(raw);
    raw[method] = (...args: unknown[]) => {
      counter.count++;
      return original(...args);
    };
  }
  return counter;
}

const response = (requestId: number, result = "ok"): ServerMessage => ({ type: "MutationResponse", requestId, success: true, result, ts: "AQAAAAAAAAA=", logLines: [] });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

it("frames sent in one tick leave in one write, in order, and none stays held", async () => {
  const out = new Outgoing(serverSide);
  const writes = countWrites();
  for (let requestId = 0; requestId < 20; requestId++) out.send(response(requestId));
  await until(() => received.length === 20);
  expect(received.map((m) => (m.type === "MutationResponse" ? m.requestId : -1))).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(writes.count).toBe(1);
  expect(out.queuedBytes).toBe(0);
  // The next tick's frames are a write of their own: nothing waits for a later send.
  out.send(response(20));
  await until(() => received.length === 21);
  expect(writes.count).toBe(2);
  out.stop();
});

it("a transition after this tick's answers joins their write when the socket was empty; not when it was not", async () => {
  const out = new Outgoing(serverSide);
  const writes = countWrites();
  out.send(response(0));
  expect(out.readyForTransition(() => {})).toBe(true);
  out.send({ type: "Transition", startVersion: { querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" }, endVersion: { querySet: 1, identity: 0, ts: "AQAAAAAAAAA=" }, modifications: [] });
  await until(() => received.length === 2);
  expect(received.map((m) => m.type)).toEqual(["MutationResponse", "Transition"]);
  expect(writes.count).toBe(1);
  // A large frame goes out at once and may still wait in the socket: a transition must not
  // pile on behind it in the same tick (the client gets the newest state once it drained).
  out.send(response(1, "y".repeat(8_000_000)));
  let drained = false;
  if (out.queuedBytes > 0) expect(out.readyForTransition(() => (drained = true))).toBe(false);
  else drained = true;
  await until(() => drained);
  out.stop();
});

it("a large frame lets out the held ones first and goes alone; order is kept", async () => {
  const out = new Outgoing(serverSide);
  const writes = countWrites();
  out.send(response(0));
  out.send(response(1));
  out.send(response(2, "x".repeat(200_000)));
  out.send(response(3));
  await until(() => received.length === 4);
  expect(received.map((m) => (m.type === "MutationResponse" ? m.requestId : -1))).toEqual([0, 1, 2, 3]);
  // The two small frames together, the large one, then the last small one held to the tick's end.
  expect(writes.count).toBeLessThanOrEqual(3);
  expect(writes.count).toBeGreaterThanOrEqual(2);
  out.stop();
});
