// The messages between experiment.ts (main thread) and query-worker.ts.

import type { PackedBatch } from "./outcome-transfer.js";
import type { WireCall } from "./query-runs.js";

/** A Mutation frame's content as a socket would hand it to another thread (protocol.md §4). */
export interface MutationRequest {
  readonly requestId: number;
  readonly udfPath: string;
  readonly args: Record<string, string | number | boolean>;
}

/** What the main thread needs to answer it: MutationResponse's fields. */
export interface MutationAnswer {
  readonly requestId: number;
  readonly ok: boolean;
  readonly value: string;
  readonly ts: bigint;
  readonly logLines: string[];
}

export type ToWorker =
  | { op: "start"; dir: string; db: string }
  /** Clears the worker's query cache and collects garbage; answered with `cpu`. */
  | { op: "prepare" }
  | { op: "run"; calls: readonly WireCall[] }
  /** Posts again, as fast as it can, the batches of the last `run`: the transfer alone. */
  | { op: "replay"; calls: readonly WireCall[] }
  | { op: "cpu" }
  /** Runs the calls here exactly as A does on the main thread (nothing posted back); answered with `done`. */
  | { op: "runHere"; calls: readonly WireCall[] }
  /** From now on, notes the CPU clock when the runtime's first `queryBatch` starts and its last one ends. */
  | { op: "instrument" }
  /** Answers `phases` with those two marks and the clock now, and forgets them. */
  | { op: "phases" }
  | { op: "subscriptions" }
  | { op: "mutations"; requests: readonly MutationRequest[] }
  | { op: "close" };

export type FromWorker =
  | { op: "ready" }
  | { op: "started"; url: string }
  | { op: "cpu"; ms: number }
  | { op: "batch"; batch: PackedBatch }
  /** After the last batch of a run or replay: the worker thread's CPU clock then. */
  | { op: "done"; cpuMs: number }
  | { op: "answers"; answers: MutationAnswer[] }
  | { op: "phases"; firstCallCpuMs: number; lastEndCpuMs: number; nowCpuMs: number; batches: number }
  | { op: "subscriptions"; size: number }
  | { op: "closed" }
  | { op: "error"; error: string };
