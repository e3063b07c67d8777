// A client that stops reading is noticed long before its socket fills: the kernel would take a
// megabyte of small transitions first, one write per commit for every such socket. The server
// pings after its transitions; a client that has not answered for the last window of them gets
// nothing more until it reads again, and then one transition to the newest state, chained from
// the last one it got. A client that never answers pings (against RFC 6455) still gets the
// newest state, later.

import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ServerMessage, Transition } from "../../../src/protocol/messages.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { call } from "../../helpers/server.js";
import { waitFor } from "../../helpers/wait.js";
import { startReliabilityServer } from "./support.js";

const cleanups = cleanupAfterEach();

/** A raw protocol socket watching `load:count` for `name`; every transition it reads lands in `transitions`. */
async function countWatcher(url: string, name: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; transitions: Transition[] }> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`, { perMessageDeflate: false, ...options });
  cleanups.push(() => ws.terminate());
  const transitions: Transition[] = [];
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    if (message.type === "Transition") transitions.push(message);
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "load:count", args: [{ name }] }] }));
  await waitFor(() => transitions.length, (n) => n > 0);
  return { ws, transitions };
}

/** The value of query 0 the client shows after these transitions. */
function shown(transitions: readonly Transition[]): unknown {
  let value: unknown;
  for (const transition of transitions) {
    for (const modification of transition.modifications) if (modification.type === "QueryUpdated") value = modification.value;
  }
  return value;
}

/** Each transition starts where the one before it ended (protocol.md §5). */
function expectChained(transitions: readonly Transition[]): void {
  for (let i = 1; i < transitions.length; i++) expect(transitions[i]!.startVersion).toEqual(transitions[i - 1]!.endVersion);
}

async function increments(url: string, name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await call(url, "mutation", "load:increment", { name })).status).toBe(200);
}

describe("a client that stops reading small transitions", () => {
  it("stops getting one per commit long before its socket fills, then gets the newest state once it reads", async () => {
    const server = await startReliabilityServer(cleanups);
    const reader = await countWatcher(server.url, "unread");
    reader.ws.pause(); // the TCP socket is no longer read: pings go unanswered
    const commits = 80;
    await increments(server.url, "unread", commits);
    // Nothing waits in the server's socket (the kernel took it all), yet the server knows.
    expect(Math.max(...server.sync.queuedBytes())).toBe(0);
    expect(server.sync.socketsBehind()).toBe(1);

    reader.ws.resume();
    await waitFor(() => shown(reader.transitions), (value) => value === commits, 15_000);
    expectChained(reader.transitions);
    // About a window's worth went out before the server held back (64 kB at 4 kB each), then
    // the newest state: far fewer than one per commit.
    expect(reader.transitions.length).toBeLessThan(commits / 2);
    // Reading again: the pong came, the socket is no longer behind, each commit reaches it again.
    await waitFor(() => server.sync.socketsBehind(), (behind) => behind === 0);
    const before = reader.transitions.length;
    await increments(server.url, "unread", 3);
    await waitFor(() => shown(reader.transitions), (value) => value === commits + 3);
    expect(reader.transitions.length).toBe(before + 3);
    expectChained(reader.transitions);
  });

  it("a client that reads gets a transition for every commit", async () => {
    const server = await startReliabilityServer(cleanups);
    const reader = await countWatcher(server.url, "reading");
    const commits = 80;
    for (let i = 1; i <= commits; i++) {
      await increments(server.url, "reading", 1);
      await waitFor(() => shown(reader.transitions), (value) => value === i);
    }
    expect(reader.transitions.length).toBe(commits + 1);
    expect(server.sync.socketsBehind()).toBe(0);
  });

  it("a client that never answers pings still gets the newest state, later", async () => {
    const server = await startReliabilityServer(cleanups);
    const reader = await countWatcher(server.url, "pongless", { autoPong: false });
    const commits = 80;
    await increments(server.url, "pongless", commits);
    // The window filled without an answer; after a wait the server sends the newest state anyway.
    await waitFor(() => shown(reader.transitions), (value) => value === commits, 15_000);
    expectChained(reader.transitions);
    expect(reader.transitions.length).toBeLessThan(commits / 2);
  });
});
