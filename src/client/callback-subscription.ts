// `client.subscribe(ref, args, onUpdate, onError)`: one subscription as one small object. Clients
// hold 10,000s of these, so it is a class (fields and shared methods) rather than closures over a
// context: about 80 bytes less per subscription.

import type { Value } from "../values/value.js";
import type { QueryObserver } from "./query-observers.js";
import type { QueryResult } from "./query-result.js";
import type { LocalQuery } from "./query-set.js";
import type { SyncEngine } from "./sync-engine.js";

const STOPPED = Symbol("stopped");

/** Delivers a held query's results to callbacks, each snapshot once, until unsubscribed. */
export class CallbackSubscription<T> implements QueryObserver {
  readonly #engine: SyncEngine;
  readonly #query: LocalQuery;
  readonly #onUpdate: (value: T) => void;
  readonly #onError: ((error: Error) => void) | undefined;
  /** The snapshot last delivered; STOPPED once unsubscribed. */
  #delivered: QueryResult<Value> | typeof STOPPED | undefined;

  /** Observes `query`, which the caller has acquired; `unsubscribe` releases it. */
  constructor(engine: SyncEngine, query: LocalQuery, onUpdate: (value: T) => void, onError: ((error: Error) => void) | undefined) {
    this.#engine = engine;
    this.#query = query;
    this.#onUpdate = onUpdate;
    this.#onError = onError;
    engine.observe(query, this);
  }

  /** Delivers the current snapshot if it is new (loading is not delivered). */
  onQueryChange(): void {
    const result = this.#engine.snapshot(this.#query);
    if (this.#delivered === STOPPED || result === this.#delivered || result.status === "loading") return;
    this.#delivered = result;
    if (result.status === "success") this.#onUpdate(result.value as T);
    else if (this.#onError !== undefined) this.#onError(result.error);
    else this.#engine.reportError(`${result.error.message} (no onError was given to subscribe)`);
  }

  unsubscribe(): void {
    if (this.#delivered === STOPPED) return;
    this.#delivered = STOPPED;
    this.#engine.unobserve(this.#query, this);
    this.#engine.release(this.#query);
  }
}
