// A pipelined mutation load over the sync protocol: `sockets` lean `ws` connections, each keeping
// `inFlight` Mutations outstanding until it sent `perSocket`. A mutation is done when its
// MutationResponse arrived and - as protocol.md §7 requires before the client may show its
// result - a Transition reaching its commit ts (`transitions: false` for the limit server, which
// sends none). Lean on purpose: on the 2-core bench machine the generator shares the CPU with the
// server, so it parses each frame once and keeps no timers per request.

import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { decodeTimestamp } from "../../src/protocol/timestamp.js";

export interface WsMutationLoad {
  sockets: number;
  inFlight: number;
  perSocket: number;
  udfPath: string;
  args: (socket: number, seq: number) => Record<string, unknown>;
  /** Wait for the Transition reaching each mutation's ts (false: the MutationResponse is enough). */
  transitions: boolean;
}

export interface WsLoadResult {
  operations: number;
  elapsedMs: number;
  /** Per mutation: from sending it until it was done (ms). */
  latencies: number[];
}

interface ServerFrame {
  type: string;
  requestId?: number;
  success?: boolean;
  result?: unknown;
  ts?: string;
  endVersion?: { ts: string };
}

/** One connection of the load: Connect, an empty ModifyQuerySet (so transitions flow), then mutations. */
class LoadSocket {
  #nextRequestId = 0;
  /** requestId -> send time; the responded ones wait in #owed until a transition reaches them. */
  readonly #sent = new Map<number, number>();
  #owed: { ts: bigint; sentAt: number }[] = [];
  #onDone: (latency: number) => void = () => {};
  #fail: (error: Error) => void = () => {};

  private constructor(
    private readonly ws: WebSocket,
    private readonly transitions: boolean,
  ) {
    ws.on("message", (data) => this.#receive(JSON.parse(data.toString()) as ServerFrame));
  }

  static async open(url: string, transitions: boolean): Promise<LoadSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const socket = new LoadSocket(ws, transitions);
    const ready = new Promise<void>((resolve) => {
      ws.once("message", () => resolve()); // the first Transition confirms the empty query set
    });
    ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] }));
    await ready;
    return socket;
  }

  /** Runs `count` mutations with at most `inFlight` outstanding; resolves with their latencies. */
  run(count: number, inFlight: number, udfPath: string, args: (seq: number) => Record<string, unknown>, latencies: number[]): Promise<void> {
    let started = 0;
    let finished = 0;
    return new Promise((resolve, reject) => {
      this.#fail = reject;
      const sendNext = () => {
        const seq = started++;
        const requestId = this.#nextRequestId++;
        this.#sent.set(requestId, performance.now());
        this.ws.send(JSON.stringify({ type: "Mutation", requestId, udfPath, args: [args(seq)] }));
      };
      this.#onDone = (latency) => {
        latencies.push(latency);
        if (++finished === count) resolve();
        else if (started < count) sendNext();
      };
      while (started < Math.min(inFlight, count)) sendNext();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }

  #receive(frame: ServerFrame): void {
    if (frame.type === "MutationResponse") {
      const sentAt = this.#sent.get(frame.requestId!);
      if (sentAt === undefined) return;
      this.#sent.delete(frame.requestId!);
      if (frame.success !== true) return this.#fail(new Error(`mutation failed: ${String(frame.result)}`));
      const ts = decodeTimestamp(frame.ts!);
      // Like the official client: resolved by a Transition after the response that reaches its ts.
      if (!this.transitions) this.#onDone(performance.now() - sentAt);
      else this.#owed.push({ ts, sentAt });
    } else if (frame.type === "Transition") {
      if (this.#owed.length === 0) return;
      const reached = decodeTimestamp(frame.endVersion!.ts);
      const now = performance.now();
      const waiting: { ts: bigint; sentAt: number }[] = [];
      for (const owed of this.#owed) {
        if (owed.ts <= reached) this.#onDone(now - owed.sentAt);
        else waiting.push(owed);
      }
      this.#owed = waiting;
    }
  }
}

/**
 * Opens the sockets, runs the load, closes them.
 *
 * @example
 * const { operations, elapsedMs } = await wsMutationLoad(server.url, { sockets: 50, inFlight: 20, perSocket: 100,
 *   udfPath: "notes:insertOne", args: (c, seq) => ({ client: c, seq, body: "x" }), transitions: true });
 */
export async function wsMutationLoad(url: string, load: WsMutationLoad): Promise<WsLoadResult> {
  const sockets: LoadSocket[] = [];
  try {
    for (let i = 0; i < load.sockets; i++) sockets.push(await LoadSocket.open(url, load.transitions));
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(sockets.map((socket, c) => socket.run(load.perSocket, load.inFlight, load.udfPath, (seq) => load.args(c, seq), latencies)));
    return { operations: load.sockets * load.perSocket, elapsedMs: performance.now() - started, latencies };
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}
