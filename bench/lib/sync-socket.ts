// A lean sync-protocol client for load generation: one `ws` socket, JSON frames, the query-set
// version counter and request ids - no retries, no stored history (a thousand of these must stay
// cheap). Messages are matched by waiters registered before the frame arrives.

import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { ClientMessage, ServerMessage, Transition } from "../../src/protocol/messages.js";
import { decodeTimestamp } from "../../src/protocol/timestamp.js";

interface Waiter {
  match: (message: ServerMessage) => boolean;
  resolve: (arrival: { message: ServerMessage; at: number }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * @example
 * const socket = await SyncSocket.open(server.url);
 * const [queryId] = socket.addQueries([{ udfPath: "counters:get", args: { name: "a" } }]);
 * await socket.waitFor((m) => m.type === "Transition");
 * socket.close();
 */
export class SyncSocket {
  #querySet = 0;
  #nextQueryId = 0;
  #nextRequestId = 0;
  #waiters: Waiter[] = [];
  #chunks: string[] = [];
  #closed: Promise<void>;
  /** The `endVersion.ts` of the newest transition received. */
  ts = 0n;
  /** Frames received (all types). */
  received = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => this.#receive(data.toString()));
    this.#closed = new Promise((resolve) =>
      ws.once("close", () => {
        for (const waiter of this.#waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error("the socket closed while waiting"));
        }
        resolve();
      }),
    );
  }

  /** Opens `ws://.../api/1.31.0/sync` and sends Connect. */
  static async open(httpUrl: string, sessionId: string = crypto.randomUUID()): Promise<SyncSocket> {
    const ws = new WebSocket(`${httpUrl.replace(/^http/, "ws")}/api/1.31.0/sync`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.on("error", () => {}); // reported through close
    const socket = new SyncSocket(ws);
    socket.send({ type: "Connect", sessionId, connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() });
    return socket;
  }

  send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Adds queries in one ModifyQuerySet; returns their query ids. */
  addQueries(queries: readonly { udfPath: string; args: Record<string, unknown> }[]): number[] {
    const ids = queries.map(() => this.#nextQueryId++);
    this.send({
      type: "ModifyQuerySet",
      baseVersion: this.#querySet,
      newVersion: ++this.#querySet,
      modifications: queries.map((q, i) => ({ type: "Add", queryId: ids[i]!, udfPath: q.udfPath, args: [q.args as never] })),
    });
    return ids;
  }

  /** Sends a Mutation; returns its request id. */
  mutation(udfPath: string, args: Record<string, unknown>): number {
    const requestId = this.#nextRequestId++;
    this.send({ type: "Mutation", requestId, udfPath, args: [args as never] });
    return requestId;
  }

  /** The next message (arriving after this call) that `match` accepts, with its arrival time. */
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs = 30_000): Promise<{ message: ServerMessage; at: number }> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for a server message`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Closes the socket; resolves once it is closed. */
  close(): Promise<void> {
    this.ws.close();
    return this.#closed;
  }

  #receive(text: string): void {
    const at = performance.now();
    this.received++;
    let message = JSON.parse(text) as ServerMessage;
    if (message.type === "TransitionChunk") {
      this.#chunks.push(message.chunk);
      if (message.partNumber < message.totalParts - 1) return;
      message = JSON.parse(this.#chunks.splice(0).join("")) as ServerMessage;
    }
    if (message.type === "Transition") this.ts = decodeTimestamp(message.endVersion.ts);
    if (this.#waiters.length === 0) return;
    const remaining: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.match(message)) {
        clearTimeout(waiter.timer);
        waiter.resolve({ message, at });
      } else {
        remaining.push(waiter);
      }
    }
    this.#waiters = remaining;
  }
}

/** The value a transition carries for `queryId`, or undefined when it does not update it. */
export function updatedValue(message: ServerMessage, queryId: number): unknown {
  if (message.type !== "Transition") return undefined;
  for (const modification of (message as Transition).modifications) {
    if (modification.type === "QueryUpdated" && modification.queryId === queryId) return modification.value;
  }
  return undefined;
}

/** Opens `count` sockets, at most `parallel` handshakes at a time. */
export async function openSockets(httpUrl: string, count: number, parallel = 100): Promise<SyncSocket[]> {
  const sockets: SyncSocket[] = [];
  try {
    for (let start = 0; start < count; start += parallel) {
      const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, () => SyncSocket.open(httpUrl)));
      sockets.push(...batch);
    }
  } catch (error) {
    await Promise.all(sockets.map((s) => s.close()));
    throw error;
  }
  return sockets;
}
