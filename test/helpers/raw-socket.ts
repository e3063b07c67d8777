// A bare WebSocket speaking the sync protocol by hand, for tests that check exact frames.

import WebSocket from "ws";
import type { ClientMessage, ServerMessage } from "../../src/protocol/messages.js";

export interface RawSocket {
  /** Every message received so far, in order. */
  received: ServerMessage[];
  send(message: ClientMessage | string): void;
  /** Resolves with the next message (after those already taken) matching `match`. */
  next<T extends ServerMessage["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  /** Resolves when the server closes the socket. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens `ws://.../api/1.31.0/sync` on a server's HTTP URL and sends Connect (unless told not to). */
export async function openRawSocket(httpUrl: string, options: { connect?: boolean; sessionId?: string } = {}): Promise<RawSocket> {
  const ws = new WebSocket(`${httpUrl.replace(/^http/, "ws")}/api/1.31.0/sync`);
  const received: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  let taken = 0;
  ws.on("message", (data) => {
    received.push(JSON.parse(data.toString()) as ServerMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const socket: RawSocket = {
    received,
    send(message) {
      ws.send(typeof message === "string" ? message : JSON.stringify(message));
    },
    async next(type, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (taken < received.length) {
          const message = received[taken++]!;
          if (message.type === type) return message as never;
        }
        if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type}; got ${JSON.stringify(received)}`);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    closed,
    close: () => ws.close(),
  };
  if (options.connect !== false) {
    socket.send({ type: "Connect", sessionId: options.sessionId ?? crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() });
  }
  return socket;
}
