// The experiment's main thread (run it through run.ts, which bundles it): seeds a database file
// as the sync bench does, opens the real stack over one copy here and one copy in a query worker,
// then interleaves rounds of A (this thread alone), B (split with the worker) and T (transfer
// alone), checks B's results against A's, and prints medians. Then the mutation round trips.

import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startServer } from "../../../src/server/start-server.js";
import { median, percentile } from "../../lib/stats.js";
import { roundTrips, type RoundTripResult, type RoundTripShape } from "./mutation-round-trip.js";
import { assertSameResults, splitRound, transferRound, type RoundResult } from "./query-modes.js";
import { firstCalls } from "./query-runs.js";
import { seedItems } from "./seed.js";
import { WorkerLink } from "./worker-link.js";

export interface ExperimentConfig {
  workerFile: string;
  functionsDir: string;
  /** Measured rounds (one more warms up). */
  rounds: number;
  /** Distinct subscriptions; the database holds two documents per key. */
  count: number;
  /** Mutations per round-trip measurement. */
  mutations: number;
}

const config = JSON.parse(process.argv[2] ?? "") as ExperimentConfig;
const fmt = (x: number, digits = 0) => x.toFixed(digits);
/** A round is quiet when other processes used less than this share of one core during it. */
const QUIET = 0.2;

async function main(): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), "syncline-workerexp-"));
  const load = [loadavg()[0]!];
  try {
    await seedItems(config.functionsDir, join(temp, "seed"), config.count);
    // Same bytes, so both stacks read the same snapshot; two files, since one server holds its file's lock.
    cpSync(join(temp, "seed"), join(temp, "main"), { recursive: true });
    cpSync(join(temp, "seed"), join(temp, "worker"), { recursive: true });
    const server = await startServer({ dir: config.functionsDir, db: join(temp, "main", "data.sqlite"), port: 0, host: "127.0.0.1" });
    const rssBefore = process.memoryUsage().rss;
    const startedAt = performance.now();
    const link = await WorkerLink.start(config.workerFile);
    try {
      if ((await link.request({ op: "start", dir: config.functionsDir, db: join(temp, "worker", "data.sqlite") })).op !== "started") throw new Error("the worker did not start");
      const startMs = performance.now() - startedAt;
      const rssAdded = process.memoryUsage().rss - rssBefore;
      const calls = firstCalls(Array.from({ length: config.count }, (_, x) => x));
      const n = config.count;
      // Label, and how many of the calls go to the worker (the first ones); T runs after "worker all".
      const modes: [string, number][] = [
        ["A: main thread alone", 0],
        ["B: worker 1/2, main 1/2", Math.round(n / 2)],
        ["B: worker 2/3, main 1/3", Math.round((2 * n) / 3)],
        ["B: worker all, main only receives", n],
      ];
      const results = new Map<string, RoundResult[]>(modes.map(([label]) => [label, []]));
      const transfer: RoundResult[] = [];
      let reference: RoundResult["kept"] | undefined;
      for (let round = 0; round <= config.rounds; round++) {
        // Rotated each round, so no mode always runs right after the same other one; round 0
        // (warm-up) starts with A, whose results every later round is checked against.
        for (let k = 0; k < modes.length; k++) {
          const [label, workerCount] = modes[(k + round) % modes.length]!;
          const result = await splitRound(server.runtime, link, calls, workerCount);
          if (reference === undefined) reference = result.kept;
          else assertSameResults(reference, result.kept, label);
          if (round > 0) results.get(label)!.push({ ...result, kept: [] });
          if (workerCount === n) {
            const replayed = await transferRound(server.runtime, link, calls);
            assertSameResults(reference, replayed.kept, "T");
            if (round > 0) transfer.push({ ...replayed, kept: [] });
          }
        }
      }
      load.push(loadavg()[0]!);
      console.log(`The worker and its stack started in ${fmt(startMs)} ms and added ${fmt(rssAdded / 2 ** 20, 1)} MiB of RSS before any query; after the rounds the process RSS is ${fmt(process.memoryUsage().rss / 2 ** 20, 1)} MiB.`);
      printQueries(results, transfer, n);

      const shapes: [string, RoundTripShape][] = [
        ["1 per message, 1 in flight", { perMessage: 1, inFlight: 1 }],
        ["1 per message, 20 in flight", { perMessage: 1, inFlight: 20 }],
        ["20 per message (batched)", { perMessage: 20, inFlight: 1 }],
      ];
      const trips = new Map<string, RoundTripResult[]>(shapes.map(([label]) => [label, []]));
      await roundTrips(link, config.mutations, shapes[0]![1]); // warm-up
      for (let round = 0; round < config.rounds; round++) {
        for (let k = 0; k < shapes.length; k++) {
          const [label, shape] = shapes[(k + round) % shapes.length]!;
          trips.get(label)!.push(await roundTrips(link, config.mutations, shape));
        }
      }
      load.push(loadavg()[0]!);
      printRoundTrips(trips);
      console.log(`\n1-minute load average at start, after the queries, at the end: ${load.map((x) => fmt(x, 2)).join(", ")}`);
    } finally {
      await link.close();
      await server.close();
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function printQueries(results: Map<string, RoundResult[]>, transfer: RoundResult[], n: number): void {
  const a = results.get("A: main thread alone")!;
  console.log(`\n${n.toLocaleString("en-US")} items:first queries, ${config.rounds} rounds, medians (ms; CPU per thread)`);
  console.log("'vs A' is the median over rounds of A's wall / the mode's wall in the same round (rounds interleave the modes);");
  console.log(`'quiet' takes only the rounds where other processes used under ${QUIET * 100}% of one core during both A and the mode;`);
  console.log("'CPU floor' is the shortest wall the round's CPU allows on 2 free cores: max(main, worker, process / 2), and A's floor / the mode's.\n");
  console.log("| mode | wall | wall p25-p75 | vs A (p25-p75) | vs A, quiet rounds | CPU floor (vs A) | main CPU | worker CPU | process CPU | others' CPU | main: post + rebuild |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  const floor = (r: RoundResult) => Math.max(r.mainCpuMs, r.workerCpuMs, r.processCpuMs / 2);
  const row = (label: string, rounds: RoundResult[], vsA: string, quiet: string, floorText: string) => {
    const m = (pick: (r: RoundResult) => number) => fmt(median(rounds.map(pick)));
    const walls = rounds.map((r) => r.wallMs);
    const spread = `${fmt(percentile(walls, 25))}-${fmt(percentile(walls, 75))}`;
    console.log(
      `| ${label} | ${m((r) => r.wallMs)} | ${spread} | ${vsA} | ${quiet} | ${floorText} | ${m((r) => r.mainCpuMs)} | ${m((r) => r.workerCpuMs)} | ${m((r) => r.processCpuMs)} | ${m((r) => r.othersCpuMs)} | ${m((r) => r.mainTransferMs)} |`,
    );
  };
  const isQuiet = (r: RoundResult) => r.othersCpuMs < QUIET * r.wallMs;
  for (const [label, rounds] of results) {
    const ratios = rounds.map((r, i) => a[i]!.wallMs / r.wallMs);
    const quiet = rounds.flatMap((r, i) => (isQuiet(r) && isQuiet(a[i]!) ? [a[i]!.wallMs / r.wallMs] : []));
    const quietText = quiet.length === 0 ? "no quiet round" : `${fmt(median(quiet), 2)}x (${quiet.length} rounds)`;
    const floorText = `${fmt(median(rounds.map(floor)))} (${fmt(median(rounds.map((r, i) => floor(a[i]!) / floor(r))), 2)}x)`;
    row(label, rounds, `${fmt(median(ratios), 2)}x (${fmt(percentile(ratios, 25), 2)}-${fmt(percentile(ratios, 75), 2)})`, quietText, floorText);
  }
  row("T: transfer alone (post calls, replay results, rebuild)", transfer, "-", "-", "-");
  const perQuery = (pick: (r: RoundResult) => number) => fmt((median(transfer.map(pick)) * 1000) / n, 1);
  console.log(`\nTransfer alone per query: ${perQuery((r) => r.wallMs)} us wall, ${perQuery((r) => r.mainCpuMs)} us main CPU, ${perQuery((r) => r.workerCpuMs)} us worker CPU`);
}

function printRoundTrips(trips: Map<string, RoundTripResult[]>): void {
  console.log(`\nMutation round trip through postMessage (${config.mutations.toLocaleString("en-US")} mutations, ${config.rounds} rounds), medians per mutation (us)\n`);
  console.log("| shape | wall | main CPU | worker CPU | process CPU |");
  console.log("|---|---|---|---|---|");
  for (const [label, rounds] of trips) {
    const m = (pick: (r: RoundTripResult) => number) => fmt(median(rounds.map(pick)), 1);
    console.log(`| ${label} | ${m((r) => r.wallUs)} | ${m((r) => r.mainCpuUs)} | ${m((r) => r.workerCpuUs)} | ${m((r) => r.processCpuUs)} |`);
  }
}

await main();
