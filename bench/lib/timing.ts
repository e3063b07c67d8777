// Timing with warmup. Two contenders are sampled in alternating rounds, so drift (thermal, GC
// pressure, other processes) hits both alike and their ratio stays honest.

import { performance } from "node:perf_hooks";
import { median, percentile } from "./stats.js";
import type { BenchResult } from "./types.js";

/** Keeps results alive so the JIT cannot drop the work that produced them. */
export let sink: unknown;

export interface Contender {
  name: string;
  /** One iteration of the work. May return a promise (then it is awaited). */
  fn: () => unknown;
}

export interface TimingOptions {
  /** Time spent running both contenders before measuring. */
  warmupMs: number;
  /** Time spent measuring (both contenders together). */
  durationMs: number;
  /** Measure at least this many samples per contender, even past durationMs. */
  minSamples: number;
  /** A sample repeats the work until it lasts about this long, so the clock's resolution does not matter. */
  sampleMs: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmupMs: 1000, durationMs: 4000, minSamples: 30, sampleMs: 2 };
export const QUICK_TIMING: TimingOptions = { warmupMs: 200, durationMs: 600, minSamples: 10, sampleMs: 1 };

/** Per-iteration times in milliseconds, one per sample. */
export interface Samples {
  name: string;
  perIterationMs: number[];
  iterationsPerSample: number;
}

async function runBatch(fn: () => unknown, iterations: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = fn();
    sink = result instanceof Promise ? await result : result;
  }
  return performance.now() - start;
}

/** How many iterations make a sample last about `sampleMs`. */
async function calibrate(fn: () => unknown, sampleMs: number): Promise<number> {
  let iterations = 1;
  for (;;) {
    const elapsed = await runBatch(fn, iterations);
    if (elapsed >= sampleMs / 4 || iterations >= 1 << 24) {
      return Math.max(1, Math.round((iterations * sampleMs) / Math.max(elapsed, 1e-3)));
    }
    iterations *= 4;
  }
}

/** Warms up, then samples every contender in alternating rounds. */
export async function compare(contenders: readonly Contender[], options: TimingOptions): Promise<Samples[]> {
  const warmupEnd = performance.now() + options.warmupMs;
  while (performance.now() < warmupEnd) for (const c of contenders) await runBatch(c.fn, 1);

  const batches: number[] = [];
  for (const c of contenders) batches.push(await calibrate(c.fn, options.sampleMs));
  const results: Samples[] = contenders.map((c, i) => ({ name: c.name, perIterationMs: [], iterationsPerSample: batches[i]! }));
  const end = performance.now() + options.durationMs;
  for (let round = 0; performance.now() < end || round < options.minSamples; round++) {
    // Alternate who goes first, so neither always runs right after the other's garbage.
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const elapsed = await runBatch(contenders[i]!.fn, batches[i]!);
      results[i]!.perIterationMs.push(elapsed / batches[i]!);
    }
  }
  return results;
}

const UNITS: [string, number][] = [
  ["s", 1000],
  ["ms", 1],
  ["µs", 1e-3],
  ["ns", 1e-6],
];

/** The largest unit in which `ms` is at least 1. */
export function unitFor(ms: number): [string, number] {
  for (const unit of UNITS) if (ms >= unit[1]) return unit;
  return UNITS[UNITS.length - 1]!;
}

/**
 * Measures Syncline against the peer and makes a result row: medians of per-iteration time,
 * Syncline's p99 (meaningful once there are at least 50 samples; when a sample batches several
 * iterations it is the p99 of batch means), ratio = syncline / peer.
 */
export async function versus(label: string, syncline: Contender, peer: Contender, options: TimingOptions): Promise<BenchResult> {
  const [ours, theirs] = await compare([syncline, peer], options);
  const ourMedian = median(ours!.perIterationMs);
  const theirMedian = median(theirs!.perIterationMs);
  const [unit, scale] = unitFor(Math.min(ourMedian, theirMedian));
  const samples = ours!.perIterationMs.length;
  return {
    label,
    unit,
    syncline: { median: ourMedian / scale, ...(samples >= 50 ? { p99: percentile(ours!.perIterationMs, 99) / scale } : {}) },
    peer: { name: peer.name, median: theirMedian / scale },
    ratio: ourMedian / theirMedian,
    samples,
  };
}
