// Per-operation latency sampling (one sample = one operation, so p99 is a real p99) and the
// result rows built from samples, for benchmarks whose unit of work is a round trip.

import { performance } from "node:perf_hooks";
import { median, percentile } from "./stats.js";
import { formatNumber } from "./table.js";
import { unitFor } from "./timing.js";
import type { BenchResult } from "./types.js";

export interface Operation {
  name: string;
  /** One operation; its promise settles when the operation is complete. */
  once: () => Promise<unknown>;
}

/**
 * Warms up, then times `samples` operations of each contender, alternating one by one (so drift
 * hits both alike). Resolves with per-operation times in ms, in the contenders' order.
 */
export async function sampleAlternating(operations: readonly Operation[], options: { warmup: number; samples: number }): Promise<number[][]> {
  for (let i = 0; i < options.warmup; i++) for (const op of operations) await op.once();
  const times = operations.map(() => [] as number[]);
  for (let i = 0; i < options.samples; i++) {
    for (let k = 0; k < operations.length; k++) {
      const j = (k + i) % operations.length;
      const started = performance.now();
      await operations[j]!.once();
      times[j]!.push(performance.now() - started);
    }
  }
  return times;
}

/** A row from per-operation samples (ms): median, p99 from 50 samples up, and the peer's median and ratio when given. */
export function latencyRow(label: string, samples: readonly number[], peer?: { name: string; samples: readonly number[] }): BenchResult {
  const ours = median(samples);
  const theirs = peer ? median(peer.samples) : undefined;
  const [unit, scale] = unitFor(Math.min(ours, theirs ?? Infinity));
  return {
    label,
    unit,
    syncline: { median: ours / scale, ...(samples.length >= 50 ? { p99: percentile(samples, 99) / scale } : {}) },
    ...(peer && theirs !== undefined ? { peer: { name: peer.name, median: theirs / scale }, ratio: ours / theirs } : {}),
    samples: samples.length,
  };
}

/**
 * A throughput row: the value is the time per operation (µs, lower is better, 1e6 / rate) and the
 * label states the rate, e.g. "... = 6,120/s".
 */
export function throughputRow(label: string, operations: number, elapsedMs: number): BenchResult {
  const perSecond = (operations / elapsedMs) * 1000;
  return {
    label: `${label} = ${Math.round(perSecond).toLocaleString("en-US")}/s`,
    unit: "µs/op",
    syncline: { median: 1e6 / perSecond },
    samples: operations,
  };
}

/** A row for a quantity that is not a time (bytes, counts): the unit is given. */
export function quantityRow(label: string, unit: string, samples: readonly number[]): BenchResult {
  return {
    label,
    unit,
    syncline: { median: median(samples), ...(samples.length >= 50 ? { p99: percentile(samples, 99) } : {}) },
    samples: samples.length,
  };
}

/** "1.23 ms" */
export function describeMs(ms: number): string {
  const [unit, scale] = unitFor(ms);
  return `${formatNumber(ms / scale)} ${unit}`;
}

/**
 * A throughput row against the machine's limit (a trivial server measured the same way in the
 * same run): time per operation for both, the ratio ours / limit (above 1.00x: slower than the
 * limit) and, in the label, our rate as a share of the limit's.
 *
 * @example
 * rows.push(throughputVersusLimit("WS inserts, 50 x 20", ours, { name: "trivial ws", ...limit }));
 */
export function throughputVersusLimit(label: string, ours: { operations: number; elapsedMs: number }, limit: { name: string; operations: number; elapsedMs: number }): BenchResult {
  const ourRate = (ours.operations / ours.elapsedMs) * 1000;
  const limitRate = (limit.operations / limit.elapsedMs) * 1000;
  const rate = (r: number) => Math.round(r).toLocaleString("en-US");
  return {
    label: `${label} = ${rate(ourRate)}/s, ${(ourRate / limitRate).toFixed(2)} of the limit (${limit.name} ${rate(limitRate)}/s)`,
    unit: "µs/op",
    syncline: { median: 1e6 / ourRate },
    peer: { name: limit.name, median: 1e6 / limitRate },
    ratio: limitRate / ourRate,
    samples: ours.operations,
  };
}
