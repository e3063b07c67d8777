// How the server answers many subscription Adds today, reproduced on a bare Runtime: the same
// batching as the subscription manager (src/server/sync/subscription-manager.ts: batches of up
// to 256, sized once from what waits, at most 1,024 queries running) and the same encoding of
// each outcome into the text a transition carries. Both sides of the experiment run this code:
// the main thread alone (A), and the query worker for its share (B).

import type { ReadSet, Timestamp } from "../../../src/server/db/types.js";
import type { QueryCall, Runtime } from "../../../src/server/runtime/runtime.js";
import type { QueryOutcome } from "../../../src/server/runtime/query-outcome.js";
import { forClient, wireErrorData, wireValue, type Outcome } from "../../../src/server/runtime/outcome.js";
import { encodeResult, type EncodedResult } from "../../../src/server/sync/encoded-result.js";
import { encodeValue } from "../../../src/values/encoding.js";

/** The subscription manager's MAX_BATCH, DEFAULT_CONCURRENCY and BATCHES_IN_FLIGHT. */
const MAX_BATCH = 256;
const MAX_RUNNING = 1024;
const BATCHES_IN_FLIGHT = 8;

/** What a subscription keeps of one execution (`Subscription.setResult`'s arguments). */
export interface KeptResult {
  readonly encoded: EncodedResult;
  readonly ts: Timestamp;
  readonly readSet: ReadSet | undefined;
  readonly usedIdentity: boolean;
}

/** A subscription's call as it crosses to the worker: everything `queryBatch` needs. */
export type WireCall = QueryCall;

/** A client on a socket without auth, as the bench's subscriptions are. */
const CLIENT = { origin: "client", identity: null } as const;

/**
 * The Adds of one ModifyQuerySet: `items:first` for each `x`, with the canonical argument
 * encoding a subscription keeps.
 *
 * @example
 * const calls = firstCalls([0, 1, 2]);
 */
export function firstCalls(xs: readonly number[]): WireCall[] {
  return xs.map((x) => {
    const args = { x };
    return { name: "items:first", args, caller: CLIENT, options: { journal: null, encodedArgs: JSON.stringify(encodeValue(args)) } };
  });
}

/**
 * Runs `calls` the way the subscription manager runs waiting subscriptions; `onBatch` gets each
 * batch's outcomes (with the index of its first call) as soon as that batch finishes.
 *
 * @example
 * await runLikeSubscriptions(runtime, calls, (outcomes, from) => keep(outcomes, from));
 */
export function runLikeSubscriptions(runtime: Runtime, calls: readonly WireCall[], onBatch: (outcomes: QueryOutcome[], from: number) => void): Promise<void> {
  const perBatch = Math.min(MAX_BATCH, Math.max(1, Math.ceil(calls.length / BATCHES_IN_FLIGHT)));
  let next = 0;
  let running = 0;
  return new Promise((resolve, reject) => {
    const start = () => {
      while (running < MAX_RUNNING && next < calls.length) {
        const from = next;
        const batch = calls.slice(from, from + Math.min(perBatch, MAX_RUNNING - running));
        next += batch.length;
        running += batch.length;
        runtime.queryBatch(batch).then((outcomes) => {
          running -= batch.length;
          onBatch(outcomes, from);
          start();
          if (running === 0 && next === calls.length) resolve();
        }, reject);
      }
    };
    if (calls.length === 0) resolve();
    else start();
  });
}

/**
 * An outcome as the subscription manager stores it (its `#encode`: dev mode, log lines kept).
 *
 * @example
 * subscription.setResult(encodeOutcome(outcome, false), outcome.ts, outcome.readSet, outcome.usedIdentity);
 */
export function encodeOutcome(outcome: Outcome, prod: boolean): EncodedResult {
  const journal = (outcome as QueryOutcome).journal ?? null;
  if (outcome.ok) return encodeResult({ type: "QueryUpdated", value: wireValue(outcome), logLines: prod ? [] : outcome.logLines, journal });
  const visible = forClient(outcome, prod) as Outcome & { ok: false };
  const errorData = wireErrorData(visible);
  return encodeResult({ type: "QueryFailed", errorMessage: visible.message, ...(errorData !== undefined ? { errorData } : {}), logLines: visible.logLines, journal });
}

/**
 * What the main thread keeps of a locally run outcome (the A side, and B's main share).
 *
 * @example
 * kept[i] = keepOutcome(outcome);
 */
export function keepOutcome(outcome: QueryOutcome): KeptResult {
  return { encoded: encodeOutcome(outcome, false), ts: outcome.ts, readSet: outcome.readSet, usedIdentity: outcome.usedIdentity };
}

/**
 * Clears `runtime`'s query cache (setModules with the same code does only that), so a round
 * runs every query again, as 10,000 new distinct subscriptions would.
 *
 * @example
 * clearQueryCache(server.runtime);
 */
export function clearQueryCache(runtime: Runtime): void {
  runtime.setModules(runtime.modules);
}
