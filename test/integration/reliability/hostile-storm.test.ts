// A storm of hostile traffic against a real server process: tens of thousands of random and
// mutated frames of the sync protocol (fast-check builds them from the real message shapes) on
// hundreds of short-lived sockets, and random HTTP calls, while a well-behaved client keeps
// subscribing and mutating. Checks: the server never crashes or logs an internal error, no
// HTTP answer is a 5xx, the internal function is never reached, the good client sees every one
// of its writes, and once the hostile sockets are closed the heap is back near its baseline.

import { fork, type ChildProcess } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { call } from "../../helpers/server.js";
import { waitFor } from "../../helpers/wait.js";
import { args, frame, hostileSocket, udfPath } from "../../helpers/hostile-frames.js";
import { load, synclineClient } from "./support.js";

const cleanups = cleanupAfterEach();
const SOCKETS = Number(process.env.STORM_SOCKETS ?? 200);
const FRAMES_PER_SOCKET = 250; // 50,000 frames
const HTTP_CALLS = 300;

type FromChild = { url: string; siteUrl: string } | { error: string } | { heap: number; sockets: number };

/** Starts support/heap-server.ts; resolves with its URL, its error lines and a heap probe. */
async function startHeapServer(): Promise<{ url: string; errors: string[]; child: ChildProcess; heap(): Promise<{ heap: number; sockets: number }> }> {
  const child = fork(new URL("./support/heap-server.ts", import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const errors: string[] = [];
  const waiting: ((answer: { heap: number; sockets: number }) => void)[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (message: FromChild) => {
      if ("url" in message) resolve(message.url);
      else if ("error" in message) errors.push(message.error);
      else waiting.shift()?.(message);
    });
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  return {
    url,
    errors,
    child,
    heap: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send("heap");
      }),
  };
}

describe("a storm of hostile frames and requests", () => {
  it("leaves the server up, answering, unreached where it must be, serving the good client, its heap back near baseline", async () => {
    const server = await startHeapServer();
    const good = synclineClient(server.url, cleanups);
    const counts: number[] = [];
    cleanups.push(good.subscribe(load.count, { name: "good" }, (value) => void counts.push(value)));
    await waitFor(() => counts.length, (length) => length > 0);
    // Warm up every path once, then take the baseline.
    await hostileSocket(server.url, fc.sample(frame, { numRuns: 200, seed: 1 }));
    const baseline = await server.heap();

    let goodWrites = 0;
    let stopGood = false;
    const goodLoop = (async () => {
      while (!stopGood) {
        expect(await good.mutation(load.increment, { name: "good" })).toBe(++goodWrites);
      }
    })();
    const seed = Number(process.env.SYNCLINE_TEST_SEED ?? Date.now() % 1_000_000);
    const all = fc.sample(frame, { numRuns: SOCKETS * FRAMES_PER_SOCKET, seed });
    const statuses: number[] = [];
    const httpStorm = (async () => {
      const bodies = fc.sample(fc.record({ path: udfPath, args, format: fc.constantFrom("json", "convex_encoded_json", "x") }, { requiredKeys: [] }), { numRuns: HTTP_CALLS, seed });
      for (const [i, body] of bodies.entries()) {
        const kind = (["query", "mutation", "action"] as const)[i % 3]!;
        const response = await fetch(`${server.url}/api/${kind}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: i % 7 === 0 ? JSON.stringify(body).slice(0, i % 40) : JSON.stringify(body) });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    })();
    for (let batch = 0; batch < SOCKETS; batch += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => hostileSocket(server.url, all.slice((batch + i) * FRAMES_PER_SOCKET, (batch + i + 1) * FRAMES_PER_SOCKET))),
      );
    }
    await httpStorm;
    stopGood = true;
    await goodLoop;

    expect(server.child.exitCode, `seed ${seed}`).toBeNull();
    expect(statuses.filter((status) => status >= 500), `seed ${seed}`).toEqual([]);
    expect(server.errors, `seed ${seed}`).toEqual([]);
    expect((await call(server.url, "query", "load:reachedCount", {})).body.value).toBe(0);
    expect(goodWrites).toBeGreaterThan(0);
    await waitFor(() => counts.at(-1), (count) => count === goodWrites);
    await waitFor(() => server.heap(), (after) => after.sockets === 1, 10_000);
    const after = await server.heap();
    process.stderr.write(`hostile storm (seed ${seed}): heap ${(baseline.heap / 2 ** 20).toFixed(1)} MiB before, ${(after.heap / 2 ** 20).toFixed(1)} MiB after\n`);
    // The good client's socket stays; everything the storm made is gone.
    expect(after.heap - baseline.heap, `heap ${baseline.heap} -> ${after.heap} bytes (seed ${seed})`).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);
});
