// A child process of socket-swarm.ts: opens its share of the sync sockets, each watching one
// query, and tells the parent (over IPC) when every socket has its first result and when every
// socket shows a given value. Times are epoch milliseconds (performance.timeOrigin + now), which
// the processes of one machine share. The sockets live here and not in the bench process so the
// server's process keeps its file descriptors for its own side of them.

import { performance } from "node:perf_hooks";
import WebSocket from "ws";

type Command = { op: "open"; url: string; count: number; udfPath: string; args: Record<string, unknown> } | { op: "expect"; value: unknown } | { op: "close" };

const sockets: WebSocket[] = [];
/** What each socket shows now; undefined before its first result. */
const values: unknown[] = [];
let waiting: { value: unknown; remaining: number; last: number } | undefined;
let firsts = { remaining: 0, last: 0 };

const now = () => performance.timeOrigin + performance.now();
const reply = (message: unknown) => process.send!(message);

function received(index: number, text: string): void {
  const message = JSON.parse(text) as { type: string; modifications?: { type: string; value?: unknown }[] };
  if (message.type !== "Transition") return;
  const update = message.modifications!.find((m) => m.type === "QueryUpdated");
  if (update === undefined) return;
  const at = now();
  const before = values[index];
  values[index] = update.value;
  if (before === undefined && --firsts.remaining === 0) reply({ op: "firsts", last: Math.max(firsts.last, at) });
  else if (before === undefined) firsts.last = at;
  if (waiting !== undefined && update.value === waiting.value && before !== waiting.value) {
    waiting.last = at;
    if (--waiting.remaining === 0) {
      reply({ op: "arrived", last: waiting.last });
      waiting = undefined;
    }
  }
}

async function open(url: string, count: number, udfPath: string, args: Record<string, unknown>): Promise<void> {
  firsts = { remaining: count, last: 0 };
  const sync = `${url.replace(/^http/, "ws")}/api/1.31.0/sync`;
  for (let start = 0; start < count; start += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - start) }, async (_, k) => {
        const index = start + k;
        const ws = new WebSocket(sync, { perMessageDeflate: false });
        sockets[index] = ws;
        ws.on("message", (data) => received(index, data.toString()));
        ws.on("error", (error) => reply({ op: "error", error: String(error) }));
        await new Promise<void>((resolve) => ws.once("open", () => resolve()));
        ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
        ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath, args: [args] }] }));
      }),
    );
  }
  reply({ op: "opened" });
}

process.on("message", (command: Command) => {
  if (command.op === "open") void open(command.url, command.count, command.udfPath, command.args);
  else if (command.op === "expect") {
    const remaining = values.filter((value) => value !== command.value).length;
    if (remaining === 0) reply({ op: "arrived", last: now() });
    else waiting = { value: command.value, remaining, last: 0 };
  } else {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
