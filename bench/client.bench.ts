// The client: SynclineClient against the official ConvexClient (convex/browser), both talking to
// the same scripted sync server, measured in the same run.
//
// - 10,000 distinct subscriptions on one client: time until every one has its result, the client
//   thread's CPU time over that span, and the JS heap each subscription costs (after GC).
// - one transition updating all 10,000 queries: time from the frame leaving the server until every
//   listener was notified (parse, apply, notify: the client's work).
// - bundle size: the client entry point, esbuild --bundle --minify, gzip -9.
//
// Each sample runs in a process of its own (bench/lib/client-sample.ts): one client, cold, against
// a fresh scripted server (bench/lib/scripted-sync-server.ts) in a worker thread, so the server's
// CPU is not charged to the client. The server answers each ModifyQuerySet with one transition
// carrying the results of the added queries; whether a client sends one ModifyQuerySet or ten
// thousand is part of what is measured.
//
// Standalone: `npx tsx bench/client.bench.ts [--quick]`. Also the `client` suite of bench/run.ts.

import { fork } from "node:child_process";
import { rm } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleSize, CLIENT_ONLY, CLIENT_WITH_HOOKS } from "./lib/bundle-size.js";
import { buildClient, type Sample, type SampleRequest } from "./lib/client-sample.js";
import { median, percentile } from "./lib/stats.js";
import type { BenchOptions, BenchResult, Suite } from "./lib/types.js";

/** Runs one sample in a child process of its own (see client-sample.ts for why). */
function sampleInChild(request: SampleRequest): Promise<Sample> {
  const child = fork(fileURLToPath(new URL("./lib/client-sample-child.ts", import.meta.url)), [JSON.stringify(request)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message: { result: Sample } | { error: string }) =>
      "result" in message ? resolve(message.result) : reject(new Error(`client sample failed: ${message.error}`)),
    );
    child.once("exit", (code) => reject(new Error(`the client sample exited with ${code} before answering`)));
  });
}

function row(label: string, unit: string, ours: number[], theirs: number[]): BenchResult {
  const oursMedian = median(ours);
  const theirsMedian = median(theirs);
  return {
    label,
    unit,
    syncline: { median: oursMedian, ...(ours.length >= 50 ? { p99: percentile(ours, 99) } : {}) },
    peer: { name: "convex/browser", median: theirsMedian },
    ratio: oursMedian / theirsMedian,
    samples: ours.length,
  };
}

export async function run(options: BenchOptions): Promise<BenchResult[]> {
  const count = options.quick ? 2_000 : 10_000;
  const rounds = options.quick ? 3 : 10;
  // Every sample is a fresh process, so each is a cold start; a single one was at the mercy of the
  // machine (runs of the same code minutes apart read 42 ms and 270 ms on this 2-core machine under
  // load), hence five of ours and the median. The official client needs minutes for 10,000
  // subscriptions (each one costs it work proportional to all the others), so it gets one sample;
  // the gap dwarfs any noise.
  const ourSamples = 5;
  const theirSamples = 1;
  const clientModule = await buildClient();
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  try {
    for (let s = 0; s < Math.max(ourSamples, theirSamples); s++) {
      if (s < theirSamples) theirs.push(await sampleInChild({ client: "convex", count, rounds }));
      if (s < ourSamples) ours.push(await sampleInChild({ client: "syncline", count, rounds, clientModule }));
    }
  } finally {
    await rm(fileURLToPath(clientModule), { force: true });
  }
  const n = count.toLocaleString("en-US");
  // The client thread's CPU over the same spans as the wall times: what the client itself costs,
  // with less of the machine's other load in it (wall time includes waiting for a core). Left out
  // where the platform cannot measure a thread's CPU.
  const cpuRow = (label: string, pick: (x: Sample) => number[]): BenchResult[] => {
    const [o, t] = [ours.flatMap(pick), theirs.flatMap(pick)];
    return o.length > 0 && t.length > 0 ? [row(label, "ms", o, t)] : [];
  };
  const results: BenchResult[] = [
    row(`${n} subscriptions: all results in`, "ms", ours.map((x) => x.subscribeMs), theirs.map((x) => x.subscribeMs)),
    ...cpuRow(`${n} subscriptions: client thread CPU`, (x) => (x.subscribeCpuMs === undefined ? [] : [x.subscribeCpuMs])),
    row(`${n} subscriptions: JS heap per subscription`, "bytes", ours.map((x) => x.heapPerSubscription), theirs.map((x) => x.heapPerSubscription)),
    row(`1 transition updating ${n} queries: apply + notify`, "ms", ours.flatMap((x) => x.updateMs), theirs.flatMap((x) => x.updateMs)),
    ...cpuRow(`1 transition updating ${n} queries: client thread CPU`, (x) => x.updateCpuMs),
  ];

  const clientBundle = await bundleSize(CLIENT_ONLY);
  const convexBundle = await bundleSize(`export { ConvexClient } from "convex/browser";`);
  results.push(row("bundle: client (min+gzip)", "KB", [clientBundle / 1024], [convexBundle / 1024]));
  // The React row joins once the hooks exist (hooks/index.ts exporting SynclineProvider, useQuery, ...).
  const hooks = (await import("../hooks/index.js")) as Record<string, unknown>;
  if (["SynclineProvider", "useQuery", "useMutation", "useAction"].every((name) => name in hooks)) {
    const ourReact = await bundleSize(CLIENT_WITH_HOOKS);
    const theirReact = await bundleSize(`export { ConvexReactClient, ConvexProvider, useQuery, useMutation, useAction } from "convex/react";`);
    results.push({ ...row("bundle: client + provider + hooks (min+gzip)", "KB", [ourReact / 1024], [theirReact / 1024]), peer: { name: "convex/react", median: theirReact / 1024 } });
  }
  return results;
}

const suite: Suite = {
  name: "client",
  description: "SynclineClient vs the official ConvexClient on the same scripted sync server",
  run,
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { formatResults } = await import("./lib/table.js");
  console.log(formatResults(await run({ quick: process.argv.includes("--quick") })));
}
