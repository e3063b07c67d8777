// The reconnect backoff's bound is a promise to the app: however long the server was down, once it
// is back the client is connected again within `reconnectBackoff.maxMs`, with no help from
// `reconnectNow()`. A real server process is killed with SIGKILL, kept down for several times the
// bound (long enough for an unbounded doubling to wait far longer), and started again on the same
// port and database.

import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startChildServer, type ChildServer } from "../../helpers/child-server.js";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";
import { recordingLogger, until } from "./support/setup.js";

const add = makeFunctionReference<"mutation", { body: string }, null>("mutation", "notes:add");
const count = makeFunctionReference<"query", Record<string, never>, number>("query", "notes:count");

const MAX_MS = 800;
const DOWN_MS = 6_000;
/** Process start-up and a loaded CI machine, on top of the bound itself. */
const SLACK_MS = 1_500;

describe("reconnect backoff bounds", () => {
  let project: TempProject | undefined;
  let server: ChildServer | undefined;
  let client: SynclineClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.stop();
    project?.remove();
  });

  it("is connected again within maxMs of the server's return after an outage much longer than maxMs", async () => {
    project = tempProject({
      "notes.ts": `import { mutation, query } from "syncline/server";
        import { v } from "syncline/values";
        export const add = mutation({ args: { body: v.string() }, handler: async (ctx, args) => { await ctx.db.insert("notes", args); return null; } });
        export const count = query(async (ctx) => (await ctx.db.query("notes").collect()).length);`,
    });
    const file = join(project.root, "data.sqlite");
    server = await startChildServer(project.dir, file);
    const ports = { port: Number(new URL(server.url).port), sitePort: Number(new URL(server.siteUrl).port) };
    const log = recordingLogger();
    client = new SynclineClient(server.url, { WebSocket, logger: log.logger, verbose: true, reconnectBackoff: { minMs: 100, maxMs: MAX_MS } });
    const counts: number[] = [];
    client.subscribe(count, {}, (n) => counts.push(n));
    await until(() => counts.length === 1, 10_000);

    await server.kill();
    await until(() => !client!.connectionState().isConnected);
    const pending = client.mutation(add, { body: "sent while the server was down" });
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    const failedAttempts = client.connectionState().retries;
    server = await startChildServer(project.dir, file, ports);
    const back = Date.now();
    await until(() => client!.connectionState().isConnected, MAX_MS + SLACK_MS);
    expect(Date.now() - back).toBeLessThanOrEqual(MAX_MS + SLACK_MS);

    // Many attempts were made while down (an unbounded doubling from 100 ms makes ~6 in 6 s), and
    // no wait between them was longer than the bound.
    expect(failedAttempts).toBeGreaterThanOrEqual(DOWN_MS / MAX_MS - 1);
    const waits = log.lines.map(({ text }) => /reconnecting in (\d+) ms/.exec(text)).filter((match) => match !== null).map((match) => Number(match[1]));
    expect(waits.length).toBeGreaterThanOrEqual(failedAttempts);
    expect(Math.max(...waits)).toBeLessThanOrEqual(MAX_MS);
    await expect(pending).resolves.toBeNull();
    await until(() => counts.at(-1) === 1);
  }, 60_000);

  it("refuses bounds it cannot keep, naming the option", () => {
    expect(() => new SynclineClient("http://127.0.0.1:9", { WebSocket, logger: false, reconnectBackoff: { minMs: 2_000, maxMs: 1_000 } })).toThrow(
      "reconnectBackoff.maxMs must be a number of milliseconds of at least minMs (2000), got 1000",
    );
  });
});
