// The in-process socket of syncline/testing behaves like the `ws` socket a sync session serves:
// frames in order, a callback once a frame was handed over, and pause/resume for backpressure
// (the session stops reading a client that floods it; nothing may be lost or reordered).

import { describe, expect, it } from "vitest";
import { ClientSideSocket, type ServerSideSocket } from "../../../src/testing/in-memory-socket.js";

async function connected(): Promise<{ client: ClientSideSocket; server: ServerSideSocket; received: string[] }> {
  let server: ServerSideSocket | undefined;
  const client = new ClientSideSocket("ws://in-process/sync", (half) => {
    server = half;
  });
  await new Promise((resolve) => client.addEventListener("open", resolve));
  const received: string[] = [];
  server!.on("message", (text: string) => received.push(text));
  return { client, server: server!, received };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the in-memory socket's server half", () => {
  it("holds the client's frames while paused and delivers them in order on resume", async () => {
    const { client, server, received } = await connected();
    server.pause();
    client.send("a");
    client.send("b");
    await settle();
    expect(received).toEqual([]);
    server.resume();
    client.send("c");
    await settle();
    expect(received).toEqual(["a", "b", "c"]);
  });

  it("keeps the rest held when a delivered frame pauses it again", async () => {
    const { client, server, received } = await connected();
    server.on("message", (text: string) => {
      if (text === "stop") server.pause();
    });
    server.pause();
    for (const text of ["x", "stop", "y", "z"]) client.send(text);
    await settle();
    server.resume();
    expect(received).toEqual(["x", "stop"]);
    server.resume();
    expect(received).toEqual(["x", "stop", "y", "z"]);
  });

  it("reports nothing buffered and calls back once a frame reached the client", async () => {
    const { client, server } = await connected();
    const seen: string[] = [];
    client.addEventListener("message", (event) => seen.push((event as MessageEvent).data as string));
    expect(server.bufferedAmount).toBe(0);
    const written = new Promise<string[]>((resolve) => server.send("hello", () => resolve([...seen])));
    expect(await written).toEqual(["hello"]);
  });
});
