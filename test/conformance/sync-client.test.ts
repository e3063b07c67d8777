// The official ConvexClient (WebSocket, sync protocol) against the Syncline server.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { ConvexError } from "convex/values";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { RunningServer } from "syncline/server";
import { startTestServer } from "../helpers/server.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";

// Untyped references by path: the official client's own escape hatch.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyReference = FunctionReference<any, "public", any, any>;
const api = anyApi as unknown as Record<string, Record<string, AnyReference>>;
const cleanups = cleanupAfterEach();

interface Logged {
  lines: string[];
}
function client(url: string, logged?: Logged): ConvexClient {
  const made = new ConvexClient(url, {
    webSocketConstructor: WebSocket as never,
    skipConvexDeploymentUrlCheck: true,
    unsavedChangesWarning: false,
    logger: logged
      ? { logVerbose() {}, log: (...args: unknown[]) => logged.lines.push(args.join(" ")), warn() {}, error() {} }
      : false,
  });
  cleanups.push(() => made.close());
  return made;
}
async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<RunningServer> {
  const started = await startTestServer(options);
  cleanups.push(() => started.close());
  return started;
}
/** Resolves with the first value `onUpdate` delivers that passes `accept`. */
function waitFor<T>(c: ConvexClient, query: AnyReference, args: object, accept: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const stop = c.onUpdate(query, args, (value: unknown) => {
      if (accept(value as T)) {
        stop();
        resolve(value as T);
      }
    });
  });
}
const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

describe("official ConvexClient against Syncline", () => {
  it("receives initial and updated results; two clients see each other's writes", async () => {
    const s = await server();
    const alice = client(s.url);
    const bob = client(s.url);
    expect(await waitFor(alice, api.behaviour!.listRoom!, { room: "duo" }, () => true)).toEqual([]);
    const bobSees = waitFor<{ body: string }[]>(bob, api.behaviour!.listRoom!, { room: "duo" }, (v) => v.length === 1);
    await alice.mutation(api.behaviour!.send!, { room: "duo", body: "from alice" });
    expect(bodies(await bobSees)).toEqual(["from alice"]);
  });

  it("shows the write in a subscribed query as soon as the mutation resolves", async () => {
    const s = await server();
    const c = client(s.url);
    let latest: { body: string }[] = [];
    await waitFor(c, api.behaviour!.listRoom!, { room: "ryw" }, () => true);
    c.onUpdate(api.behaviour!.listRoom!, { room: "ryw" }, (value: unknown) => (latest = value as { body: string }[]));
    for (let i = 0; i < 5; i++) {
      await c.mutation(api.behaviour!.send!, { room: "ryw", body: `m${i}` });
      expect(latest).toHaveLength(i + 1);
    }
  });

  it("runs one client's mutations in call order and its actions concurrently", async () => {
    const s = await server();
    const c = client(s.url);
    const results = await Promise.all(Array.from({ length: 25 }, () => c.mutation(api.counter!.increment!, { name: "order" })));
    expect(results).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const [a, b] = (await Promise.all([
      c.action(api.behaviour!.slowAction!, { ms: 300 }),
      c.action(api.behaviour!.slowAction!, { ms: 300 }),
    ])) as { started: number; ended: number }[];
    expect(Math.max(a!.started, b!.started)).toBeLessThan(Math.min(a!.ended, b!.ended));
  });

  it("gets the same error for internal and missing functions, AppError data, and log lines", async () => {
    const s = await server();
    const logged: Logged = { lines: [] };
    const c = client(s.url, logged);
    const internal = await c.mutation(api.plans!.markPlanAsProfessional!, { planId: "plans_x" }).catch((e: Error) => e.message);
    const missing = await c.mutation(api.plans!.nope!, {}).catch((e: Error) => e.message);
    expect(internal).toContain("Could not find public function for 'plans:markPlanAsProfessional'.");
    expect(missing).toContain("Could not find public function for 'plans:nope'.");
    const error = await c.mutation(api.behaviour!.failWithData!, { code: "C7" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect((error as ConvexError<{ code: string }>).data).toEqual({ code: "C7", retry: false });
    await waitFor(c, api.behaviour!.logs!, {}, () => true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged.lines.join("\n")).toMatch(/behaviour:logs.*'hi' 42/);
  });

  it("a socket dropped after the commit and before the answer: the resend takes effect exactly once", async () => {
    const s = await server();
    const c = client(s.url);
    const watching = waitFor<number>(c, api.counter!.get!, { name: "once" }, () => true);
    await watching;
    let dropped = 0;
    const stop = s.db.onCommit(() => {
      if (dropped++ === 0) s.sync.terminateAll();
    });
    const result = await c.mutation(api.counter!.increment!, { name: "once" });
    stop();
    expect(dropped).toBeGreaterThanOrEqual(1);
    expect(result).toBe(1);
    expect(await waitFor<number>(c, api.counter!.get!, { name: "once" }, () => true)).toBe(1);
    expect(s.runtime.executionCount("counter:increment")).toBe(1);
  });

  it("the same across a full server restart on the same database file; subscriptions resume", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "syncline-restart-"));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const db = join(scratch, "data.sqlite");
    const first = await startTestServer({ db });
    const port = first.port;
    const c = client(first.url);
    await waitFor(c, api.behaviour!.listRoom!, { room: "restart" }, () => true);
    let restarted: Promise<RunningServer> | undefined;
    const stop = first.db.onCommit(() => {
      stop();
      // Crash right after the commit, before any answer: a new server comes up on the same file and port.
      restarted ??= (async () => {
        first.sync.terminateAll();
        await first.close();
        return startTestServer({ db, port, sitePort: 0 });
      })();
    });
    const sent = c.mutation(api.behaviour!.send!, { room: "restart", body: "survives" });
    const id = await sent;
    const second = await restarted!;
    cleanups.push(() => second.close());
    expect(typeof id).toBe("string");
    const messages = await waitFor<{ _id: string; body: string }[]>(c, api.behaviour!.listRoom!, { room: "restart" }, (v) => v.length > 0);
    expect(messages.map((m) => m._id)).toEqual([id]);
    expect(second.runtime.executionCount("behaviour:send")).toBe(0);
  });
});

describe("official ConvexReactClient against Syncline", () => {
  it("watches a query and sees mutations, outside React too", async () => {
    const { ConvexReactClient } = await import("convex/react");
    const s = await server();
    const reactClient = new ConvexReactClient(s.url, { webSocketConstructor: WebSocket as never, skipConvexDeploymentUrlCheck: true, unsavedChangesWarning: false, logger: false });
    cleanups.push(() => reactClient.close());
    const watch = reactClient.watchQuery(api.behaviour!.listRoom!, { room: "react-client" });
    const seen: number[] = [];
    const stop = watch.onUpdate(() => seen.push((watch.localQueryResult() as unknown[] | undefined)?.length ?? -1));
    cleanups.push(stop);
    await reactClient.mutation(api.behaviour!.send!, { room: "react-client", body: "via ConvexReactClient" });
    expect((watch.localQueryResult() as { body: string }[]).map((m) => m.body)).toEqual(["via ConvexReactClient"]);
    expect(seen.at(-1)).toBe(1);
  });
});
