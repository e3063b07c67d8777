// The WebSocket transport on its own: one socket at a time, no send queue, our backoff.

import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Backoff } from "../../../transport/backoff.js";
import { WebSocketTransport, type CloseInfo, type OpenInfo } from "../../../transport/websocket.js";
import type { ServerMessage } from "../../../src/protocol/messages.js";
import { startScriptedServer, type ScriptedServer } from "../../helpers/scripted-server.js";
import { settle, sleep, until } from "./support/setup.js";

let server: ScriptedServer;
let transport: WebSocketTransport | undefined;
afterEach(async () => {
  transport?.close();
  await server?.close();
});

/** A transport on a fresh scripted server, open once: its events and the server's side of the socket. */
async function openedOnce() {
  server = await startScriptedServer();
  const events = open();
  transport!.open();
  const first = await server.nextConnection();
  await until(() => events.opens.length === 1);
  return { events, first };
}

function open(options: { inactivityTimeoutMs?: number; connectTimeoutMs?: number; url?: string } = {}) {
  const events = { opens: [] as OpenInfo[], messages: [] as ServerMessage[], closes: [] as CloseInfo[] };
  transport = new WebSocketTransport(
    { url: options.url ?? `ws://127.0.0.1:${server.port}/api/1.31.0/sync`, WebSocket, backoff: new Backoff({ random: () => 0 }), ...options },
    {
      onOpen: (info) => events.opens.push(info),
      onMessage: (message) => events.messages.push(message),
      onClose: (info) => events.closes.push(info),
    },
  );
  return events;
}

describe("WebSocketTransport", () => {
  it("connects only when opened, and reports connection counts and close reasons", async () => {
    server = await startScriptedServer();
    const events = open();
    await settle();
    expect(transport!.state).toBe("idle");
    expect(server.connections).toHaveLength(0);
    transport!.open();
    const first = await server.nextConnection();
    await until(() => events.opens.length === 1);
    expect(events.opens[0]).toEqual({ connectionCount: 0, lastCloseReason: "InitialConnect" });
    await first.close(4040, "not here");
    await until(() => events.closes.length === 1);
    expect(events.closes[0]).toMatchObject({ code: 4040, reason: "not here", wasOpen: true });
    expect(events.closes[0]!.reconnectInMs).toBe(500); // server close, 1 s base, jitter at its minimum
    await server.nextConnection();
    await until(() => events.opens.length === 2);
    expect(events.opens[1]).toEqual({ connectionCount: 1, lastCloseReason: "not here" });
    expect(transport!.retries).toBe(1);
    transport!.markHealthy();
    expect(transport!.retries).toBe(0);
  });

  it("never queues: what is sent while no socket is open is dropped, not flushed into the next socket", async () => {
    server = await startScriptedServer();
    const events = open();
    transport!.open();
    expect(transport!.send({ type: "Event", eventType: "too-early", event: null })).toBe(false);
    const first = await server.nextConnection();
    await until(() => events.opens.length === 1);
    expect(transport!.send({ type: "Event", eventType: "first", event: null })).toBe(true);
    await first.next("Event");
    await first.close(1000);
    await until(() => transport!.state === "waiting");
    expect(transport!.send({ type: "Event", eventType: "between", event: null })).toBe(false);
    const second = await server.nextConnection();
    await until(() => events.opens.length === 2);
    await settle();
    expect(second.received).toEqual([]);
    expect(first.received).toEqual([{ type: "Event", eventType: "first", event: null }]);
  });

  it("absorbs Pings, which still count as signs of life", async () => {
    server = await startScriptedServer();
    // Pings well inside the timeout: a loaded machine delays timers by tens of milliseconds.
    const events = open({ inactivityTimeoutMs: 1_000 });
    transport!.open();
    const socket = await server.nextConnection();
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      socket.send({ type: "Ping" });
    }
    expect(events.closes).toEqual([]);
    expect(events.messages).toEqual([]);
    await until(() => events.closes.length === 1);
    expect(events.closes[0]!.reason).toBe("InactiveServer");
    expect(events.closes[0]!.reconnectInMs).toBe(50); // client-detected: a tenth of minMs, jittered to half
  });

  it("backs off (server base) when the server cannot be reached at all", async () => {
    server = await startScriptedServer();
    const port = server.port;
    await server.close();
    transport = new WebSocketTransport({ url: `ws://127.0.0.1:${port}/api/1.31.0/sync`, WebSocket, backoff: new Backoff({ random: () => 0 }) }, {
      onOpen: () => {},
      onMessage: () => {},
      onClose: () => {},
    });
    transport.open();
    await until(() => transport!.state === "waiting");
    expect(transport.retries).toBe(1);
    expect(transport.connectionCount).toBe(0);
  });

  it("restart() drops the socket and reconnects after the client backoff, with the reason", async () => {
    const { events, first } = await openedOnce();
    transport!.restart("AuthError");
    expect(transport!.state).toBe("waiting");
    expect(events.closes).toEqual([{ code: 1000, reason: "AuthError", wasOpen: true, reconnectInMs: 50 }]);
    expect((await first.closed).reason).toBe("AuthError");
    await server.nextConnection();
    await until(() => events.opens.length === 2);
    expect(events.opens[1]).toEqual({ connectionCount: 1, lastCloseReason: "AuthError" });
  });

  it("gives up on an attempt after the connect timeout and backs off (server base) before the next", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts TCP, never answers the upgrade
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const events = open({ url: `ws://127.0.0.1:${port}/api/1.31.0/sync`, connectTimeoutMs: 100 });
      transport!.open();
      await until(() => events.closes.length === 1);
      expect(events.closes[0]).toMatchObject({ wasOpen: false, reconnectInMs: 500 });
      expect(transport!.state).toBe("waiting");
      await until(() => events.closes.length === 2, 3_000);
      expect(events.closes[1]!.reconnectInMs).toBe(1_000);
      expect(sockets.length).toBe(2);
    } finally {
      transport?.close();
      transport = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("close() while waiting cancels the next attempt", async () => {
    const { events, first } = await openedOnce();
    await first.close(1000);
    await until(() => transport!.state === "waiting");
    transport!.close();
    expect(transport!.state).toBe("closed");
    await sleep(700); // past the 500 ms backoff
    expect(server.connections).toHaveLength(1);
    expect(events.closes).toHaveLength(1);
  });

  it("backs off when the WebSocket constructor itself throws, instead of retrying at once", async () => {
    let constructed = 0;
    class Refusing {
      constructor() {
        constructed++;
        throw new Error("blocked by policy");
      }
    }
    const events = { closes: [] as CloseInfo[] };
    transport = new WebSocketTransport(
      { url: "ws://127.0.0.1:9/api/1.31.0/sync", WebSocket: Refusing, backoff: new Backoff({ random: () => 0 }) },
      { onOpen: () => {}, onMessage: () => {}, onClose: (info) => events.closes.push(info) },
    );
    transport.open();
    await until(() => events.closes.length === 1);
    expect(events.closes[0]).toMatchObject({ wasOpen: false, reconnectInMs: 500 });
    await sleep(200);
    expect(constructed).toBe(1);
    expect(transport.state).toBe("waiting");
  });
});
