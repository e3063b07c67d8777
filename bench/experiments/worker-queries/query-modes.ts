// One timed round of each way to answer the 10,000 Adds: A (the main thread alone), B (the main
// thread and the query worker splitting the calls) and T (the transfer alone: the worker posts
// again the batches of its last full run, nothing executes).

import { performance } from "node:perf_hooks";
import type { Runtime } from "../../../src/server/runtime/runtime.js";
import { gcFunction } from "../../lib/gc.js";
import { unpackBatch } from "./outcome-transfer.js";
import { clearQueryCache, keepOutcome, runLikeSubscriptions, type KeptResult, type WireCall } from "./query-runs.js";
import { machineCpuMs, processCpuMs, threadCpuMs } from "./thread-cpu.js";
import type { WorkerLink } from "./worker-link.js";

/** One round's measurements (ms). */
export interface RoundResult {
  wallMs: number;
  mainCpuMs: number;
  workerCpuMs: number;
  /** Every thread of the process: both isolates, V8's helper threads, libuv. */
  processCpuMs: number;
  /** CPU other processes on the machine used meanwhile (10 ms resolution): the load this round met. */
  othersCpuMs: number;
  /** Main-thread time spent posting the calls to the worker and rebuilding its results. */
  mainTransferMs: number;
  kept: KeptResult[];
}

/** Clears both caches and collects both heaps, so every round starts alike; the worker's CPU clock then. */
async function prepare(runtime: Runtime, link: WorkerLink): Promise<number> {
  clearQueryCache(runtime);
  gcFunction()?.();
  return link.prepare();
}

/** Waits for the worker's `done`; its CPU clock then. */
async function done(answer: Promise<unknown>): Promise<number> {
  const message = (await answer) as { op: string; cpuMs?: number };
  if (message.op !== "done" || message.cpuMs === undefined) throw new Error(`expected done, got ${message.op}`);
  return message.cpuMs;
}

/**
 * Runs the first `workerCount` calls on the worker and the rest on this thread, keeping every
 * result here; `workerCount` 0 is A (the worker idles, its CPU still read).
 *
 * @example
 * const half = await splitRound(runtime, link, calls, calls.length / 2);
 */
export async function splitRound(runtime: Runtime, link: WorkerLink, calls: readonly WireCall[], workerCount: number): Promise<RoundResult> {
  const kept = new Array<KeptResult>(calls.length);
  const workerCalls = calls.slice(0, workerCount);
  const mainCalls = calls.slice(workerCount);
  const workerCpu0 = await prepare(runtime, link);
  let mainTransferMs = 0;
  link.onBatch = (batch) => {
    const started = performance.now();
    unpackBatch(batch, kept);
    mainTransferMs += performance.now() - started;
  };
  const cpu0 = threadCpuMs();
  const process0 = processCpuMs();
  const machine0 = machineCpuMs();
  const started = performance.now();
  let workerDone: Promise<number> | undefined;
  if (workerCount > 0) {
    workerDone = done(link.request({ op: "run", calls: workerCalls }));
    mainTransferMs += performance.now() - started;
  }
  await runLikeSubscriptions(runtime, mainCalls, (outcomes, from) => {
    for (let i = 0; i < outcomes.length; i++) kept[workerCount + from + i] = keepOutcome(outcomes[i]!);
  });
  const workerEnd = workerDone === undefined ? undefined : await workerDone;
  const wallMs = performance.now() - started;
  const mainCpuMs = threadCpuMs() - cpu0;
  const processMs = processCpuMs() - process0;
  const othersCpuMs = machineCpuMs() - machine0 - processMs;
  // A: the idle worker's clock is read after the clocks above stopped (it should not have moved).
  const workerCpu1 = workerEnd ?? ((await link.request({ op: "cpu" })) as { ms: number }).ms;
  return { wallMs, mainCpuMs, workerCpuMs: workerCpu1 - workerCpu0, processCpuMs: processMs, othersCpuMs, mainTransferMs, kept };
}

/**
 * T: the worker posts again the batches of its last run (run every call there first), this
 * thread posts the calls and rebuilds every result, as in B; nothing executes.
 *
 * @example
 * const transfer = await transferRound(runtime, link, calls);
 */
export async function transferRound(runtime: Runtime, link: WorkerLink, calls: readonly WireCall[]): Promise<RoundResult> {
  const kept = new Array<KeptResult>(calls.length);
  link.onBatch = (batch) => unpackBatch(batch, kept);
  const workerCpu0 = await prepare(runtime, link);
  const cpu0 = threadCpuMs();
  const process0 = processCpuMs();
  const machine0 = machineCpuMs();
  const started = performance.now();
  const workerCpu1 = await done(link.request({ op: "replay", calls }));
  const wallMs = performance.now() - started;
  const mainCpuMs = threadCpuMs() - cpu0;
  const processMs = processCpuMs() - process0;
  const othersCpuMs = machineCpuMs() - machine0 - processMs;
  return { wallMs, mainCpuMs, workerCpuMs: workerCpu1 - workerCpu0, processCpuMs: processMs, othersCpuMs, mainTransferMs: mainCpuMs, kept };
}

/**
 * Throws unless `kept` holds, for every call, what `reference` (A) holds: the same result text,
 * log lines, identity use and read set. B's numbers count only if its results are the ones A
 * gives. Timestamps are not compared: each stack's startup commits a write of its own (the
 * background jobs), so the two copies' newest timestamps differ though their documents do not.
 *
 * @example
 * assertSameResults(a.kept, b.kept, "B 1/2");
 */
export function assertSameResults(reference: readonly KeptResult[], kept: readonly KeptResult[], label: string): void {
  if (kept.length !== reference.length) throw new Error(`${label}: ${kept.length} results, expected ${reference.length}`);
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!;
    const b = kept[i];
    if (b === undefined) throw new Error(`${label}: no result for call ${i}`);
    const same =
      a.encoded.type === b.encoded.type &&
      a.encoded.json === b.encoded.json &&
      a.encoded.logLines === b.encoded.logLines &&
      a.encoded.journal === b.encoded.journal &&
      typeof b.ts === "bigint" &&
      a.usedIdentity === b.usedIdentity &&
      JSON.stringify(a.readSet) === JSON.stringify(b.readSet) &&
      Object.isFrozen(b.readSet?.ranges[0] ?? {});
    if (!same) throw new Error(`${label}: call ${i} differs from A: ${JSON.stringify({ a: { ...a, ts: String(a.ts) }, b: { ...b, ts: String(b.ts) } })}`);
  }
}
