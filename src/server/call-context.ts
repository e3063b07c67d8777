// What the server carries through every await of a call: the function call's execution scope
// (runtime/scope.ts) and whether a write transaction's function is running (db/write-batch.ts).
//
// One AsyncLocalStorage holds both, not one each: on Node 20 every AsyncLocalStorage in use
// copies its value onto each promise the process creates, so a second one cost every promise -
// about 20 per durable mutation - a property store of its own (measured: ~5% of a WebSocket
// mutation's CPU).

import { AsyncLocalStorage } from "node:async_hooks";

/** The carried values; `scope` is the runtime's ExecutionScope (opaque here: the database layer does not know it). */
export interface CallContext {
  readonly scope: object | undefined;
  readonly insideWrite: boolean;
}

const storage = new AsyncLocalStorage<CallContext>();

/**
 * The context of the code running now; undefined outside of every call and write.
 *
 * @example
 * const insideWrite = currentCallContext()?.insideWrite === true;
 */
export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` (and everything it awaits) with `context` as the current one.
 *
 * @example
 * runWithCallContext({ scope: currentCallContext()?.scope, insideWrite: true }, () => job.fn(view));
 */
export function runWithCallContext<T>(context: CallContext, fn: () => T): T {
  return storage.run(context, fn);
}
