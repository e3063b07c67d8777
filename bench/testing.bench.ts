// `syncline/testing` setup cost: how long `syncTest()` takes for the playground's functions -
// the first in a process (bundling and loading the folder) and every later one (the cached
// build: a fresh in-memory database, schema, scheduler) - plus `close()`. Peer: `startServer`
// on port 0 with ":memory:", what tests used before (it bundles on every start).
// Standalone: `npx tsx bench/testing.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startServer } from "../src/server/index.js";
import { syncTest } from "../src/testing/index.js";
import { silentLogger } from "../src/server/logger.js";
import type { BenchResult, Suite } from "./lib/types.js";

const PLAYGROUND = join(import.meta.dirname, "../playground/syncline");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function run({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  const samples = quick ? 10 : 50;
  let first = 0;
  const setups: number[] = [];
  const closes: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const start = performance.now();
    const t = await syncTest({ dir: PLAYGROUND, logger: silentLogger });
    const setup = performance.now() - start;
    if (i === 0) first = setup;
    else setups.push(setup);
    const close = await timed(() => t.close());
    if (i > 0) closes.push(close);
  }
  const servers: number[] = [];
  for (let i = 0; i < Math.min(samples, 10); i++) {
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    servers.push(await timed(async () => (server = await startServer({ dir: PLAYGROUND, port: 0, db: ":memory:" }))));
    await server!.close();
  }
  const serverMedian = median(servers);
  return [
    { label: "syncTest(), first in the process (bundles)", unit: "ms", syncline: { median: first }, samples: 1 },
    {
      label: "syncTest(), later (cached build)",
      unit: "ms",
      syncline: { median: median(setups), p99: p99(setups) },
      peer: { name: "startServer :memory:", median: serverMedian },
      ratio: median(setups) / serverMedian,
      samples: setups.length,
    },
    { label: "t.close()", unit: "ms", syncline: { median: median(closes), p99: p99(closes) }, samples: closes.length },
  ];
}

const suite: Suite = {
  name: "testing",
  description: "syncline/testing: syncTest() setup (first and cached) and close(), against startServer on :memory:",
  run,
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const results = await run({ quick: process.argv.includes("--quick") });
  for (const row of results) console.log(`${row.label}: ${row.syncline.median.toFixed(1)} ${row.unit}${row.syncline.p99 !== undefined ? ` (p99 ${row.syncline.p99.toFixed(1)})` : ""}${row.peer ? ` vs ${row.peer.name} ${row.peer.median.toFixed(1)} ${row.unit}` : ""}`);
}
