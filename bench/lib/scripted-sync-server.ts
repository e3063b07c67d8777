// The client benchmark's sync server: a scripted stand-in (no database, no functions) in a worker
// thread, so its CPU is not charged to the client under test. It answers each ModifyQuerySet with
// one transition carrying the added queries' results, and on command sends one prepared
// transition updating every query it holds.

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const SERVER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { WebSocketServer } = require(workerData.wsPath);
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
let ts = 1000n;
const encodeTs = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b.toString("base64"); };
const item = (i, round) => (round === 0 ? { i, title: "item " + i, done: false } : { i, title: "item " + i, done: round % 2 === 1, round });
let current;
wss.on("connection", (socket) => {
  const state = { socket, querySet: 0, version: { querySet: 0, identity: 0, ts: encodeTs(0n) }, queries: new Map(), prepared: undefined };
  current = state;
  const transition = (modifications) => {
    const endVersion = { querySet: state.querySet, identity: 0, ts: encodeTs(++ts) };
    const text = JSON.stringify({ type: "Transition", startVersion: state.version, endVersion, modifications });
    state.version = endVersion;
    return text;
  };
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.type !== "ModifyQuerySet") return;
    state.querySet = message.newVersion;
    const modifications = [];
    for (const m of message.modifications) {
      if (m.type === "Add") {
        state.queries.set(m.queryId, m.args[0].i);
        modifications.push({ type: "QueryUpdated", queryId: m.queryId, value: item(m.args[0].i, 0), logLines: [], journal: null });
      } else {
        state.queries.delete(m.queryId);
        modifications.push({ type: "QueryRemoved", queryId: m.queryId });
      }
    }
    socket.send(transition(modifications));
  });
  state.prepare = (round) => {
    const modifications = [];
    for (const [queryId, i] of state.queries) modifications.push({ type: "QueryUpdated", queryId, value: item(i, round), logLines: [], journal: null });
    state.prepared = transition(modifications);
  };
});
parentPort.on("message", (command) => {
  if (command.type === "prepare") {
    current.prepare(command.round);
    parentPort.postMessage({ type: "prepared" });
  } else if (command.type === "send") {
    current.socket.send(current.prepared);
  } else if (command.type === "close") {
    for (const client of wss.clients) client.terminate();
    wss.close(() => parentPort.postMessage({ type: "closed" }));
  }
});
wss.on("listening", () => parentPort.postMessage({ type: "listening", port: wss.address().port }));
`;

/**
 * The scripted server of one sample: start it, point one client at `url`, close it after.
 *
 * @example
 * const server = await ScriptedSyncServer.start();
 * await server.prepare(1); // every query's round-1 value, encoded ahead of time
 * server.send(); // the clock starts when this leaves
 * await server.close();
 */
export class ScriptedSyncServer {
  readonly #worker: Worker;
  readonly #waiting = new Map<string, () => void>();
  port = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: { type: string; port?: number }) => {
      if (message.port !== undefined) this.port = message.port;
      this.#waiting.get(message.type)?.();
    });
  }

  static async start(): Promise<ScriptedSyncServer> {
    const wsPath = createRequire(import.meta.url).resolve("ws");
    const server = new ScriptedSyncServer(new Worker(SERVER_SOURCE, { eval: true, workerData: { wsPath } }));
    await server.#next("listening");
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Builds the transition updating every query to `round`'s values (not sent yet). */
  prepare(round: number): Promise<void> {
    const done = this.#next("prepared");
    this.#worker.postMessage({ type: "prepare", round });
    return done;
  }

  /** Sends the transition `prepare` built, to the last client that connected. */
  send(): void {
    this.#worker.postMessage({ type: "send" });
  }

  async close(): Promise<void> {
    const done = this.#next("closed");
    this.#worker.postMessage({ type: "close" });
    await done;
    await this.#worker.terminate();
  }

  #next(type: string): Promise<void> {
    return new Promise((resolve) =>
      this.#waiting.set(type, () => {
        this.#waiting.delete(type);
        resolve();
      }),
    );
  }
}
