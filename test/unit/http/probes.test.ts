// /health and /ready in each state of a server's life, on a real HTTP server.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answerProbe, type ProbeState } from "../../../src/server/http/probes.js";

const node = { nodeId: "web-1", role: "leader" as const, epoch: 3, appliedTimestamp: "1796549400000000000", lagMs: 0 };
let server: Server | undefined;

async function probeServer(state: () => ProbeState["state"]): Promise<string> {
  server = createServer((request, response) => {
    if (!answerProbe(request, response, request.url!, () => ({ state: state(), node, connections: 7 }))) {
      response.writeHead(418).end();
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe("probes", () => {
  it("/ready is 200 only while serving; /health is 200 in every state, with the node's status", async () => {
    let state: ProbeState["state"] = "starting";
    const url = await probeServer(() => state);
    const read = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, cache: response.headers.get("cache-control") };
    };
    for (const [now, readyStatus] of [
      ["starting", 503],
      ["serving", 200],
      ["draining", 503],
    ] as const) {
      state = now;
      expect(await read("/ready"), now).toEqual({ status: readyStatus, body: { ready: now === "serving", status: now }, cache: "no-store" });
      expect(await read("/health"), now).toEqual({ status: 200, body: { ...node, status: now, connections: 7 }, cache: "no-store" });
    }
  });

  it("takes GET and HEAD only, and leaves other paths alone", async () => {
    const url = await probeServer(() => "serving");
    expect((await fetch(`${url}/ready`, { method: "HEAD" })).status).toBe(200);
    const post = await fetch(`${url}/health`, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    expect((await fetch(`${url}/healthz`)).status).toBe(418);
  });
});
