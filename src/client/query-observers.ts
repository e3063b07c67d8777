// Who listens to which query, and the snapshot each query last showed them. Listeners are called
// only for queries whose snapshot changed; an unchanged query keeps its snapshot object. Works on
// query records directly, so notifying 10,000 queries costs no map lookups.

import type { Value } from "../values/value.js";
import { LOADING, type QueryResult } from "./query-result.js";
import type { QueryToken } from "./query-token.js";
import { equalValues } from "./value-equality.js";

/**
 * Something told when a query's snapshot changed. An object with a method rather than a plain
 * function, so a subscription can be one small object instead of closures and their context.
 */
export interface QueryObserver {
  onQueryChange(): void;
}

/**
 * The parts of a query record QueryObservers reads and writes. Its state lives on the record as
 * plain fields (not in a map, not in an object of its own): one object per query.
 */
export interface ObservableQuery {
  readonly token: QueryToken;
  readonly serverResult: QueryResult<Value> | undefined;
  /**
   * Who is told of changes: nobody, one observer, or an array of several. Most queries have
   * exactly one, and a Set would cost each of them ~150 bytes (clients hold 10,000s).
   */
  observers: QueryObserver | QueryObserver[] | undefined;
  /** What the observers were last shown (undefined while there are none). */
  shown: QueryResult<Value> | undefined;
  /** The result object `shown` was taken from (they differ when an equal result replaced it). */
  shownSource: QueryResult<Value> | undefined;
  /** Whether `shownSource` came from an optimistic layer. */
  shownOptimistic: boolean;
}

/** The optimistic result of a query, if an optimistic update changed it. */
export type OptimisticResults = (token: QueryToken) => QueryResult<Value> | undefined;

/**
 * Observed queries.
 *
 * @example
 * const observers = new QueryObservers((token) => layers.result(token));
 * observers.observe(query, { onQueryChange: () => render(observers.current(query)) });
 * const toCall: QueryObserver[] = [];
 * observers.refresh(changedQueries, toCall); // then call them
 */
export class QueryObservers {
  readonly #optimistic: OptimisticResults;
  #count = 0;

  constructor(optimistic: OptimisticResults) {
    this.#optimistic = optimistic;
  }

  /** What a query shows now: its optimistic result, else the server's, else LOADING. */
  display(query: ObservableQuery): QueryResult<Value> {
    return this.#optimistic(query.token) ?? query.serverResult ?? LOADING;
  }

  /** The snapshot of a query: what its listeners were shown, or what it shows now if nobody listens. */
  current(query: ObservableQuery): QueryResult<Value> {
    return query.shown ?? this.display(query);
  }

  /** Adds an observer (one already observing this query is not added twice). */
  observe(query: ObservableQuery, observer: QueryObserver): void {
    const current = query.observers;
    if (current === undefined) {
      const source = this.display(query);
      query.observers = observer;
      query.shown = source;
      query.shownSource = source;
      query.shownOptimistic = this.#optimistic(query.token) !== undefined;
      this.#count++;
    } else if (!Array.isArray(current)) {
      if (current !== observer) query.observers = [current, observer];
    } else if (!current.includes(observer)) {
      current.push(observer);
    }
  }

  /** Removes an observer. */
  unobserve(query: ObservableQuery, observer: QueryObserver): void {
    const current = query.observers;
    if (current === observer) {
      query.observers = undefined;
      query.shown = undefined;
      query.shownSource = undefined;
      query.shownOptimistic = false;
      this.#count--;
    } else if (Array.isArray(current)) {
      const rest = current.filter((o) => o !== observer);
      query.observers = rest.length === 1 ? rest[0]! : rest;
    }
  }

  /**
   * Takes new snapshots of `queries`; appends the observers of those that changed to `toCall`.
   * Tell them after all state is updated (an observer of several queries may appear more than once).
   */
  refresh(queries: Iterable<ObservableQuery>, toCall: QueryObserver[]): void {
    for (const query of queries) {
      const observers = query.observers;
      if (observers === undefined) continue;
      const optimisticResult = this.#optimistic(query.token);
      const next = optimisticResult ?? query.serverResult ?? LOADING;
      if (next === query.shownSource) continue;
      const optimistic = optimisticResult !== undefined;
      const shown = query.shown!;
      // Moving to or from an optimistic value: an equal value (the server confirming exactly what
      // was predicted) keeps the snapshot, so nothing re-renders.
      const keep =
        (optimistic || query.shownOptimistic) && next.status === "success" && shown.status === "success" && equalValues(next.value, shown.value);
      query.shownSource = next;
      query.shownOptimistic = optimistic;
      if (keep) continue;
      query.shown = next;
      if (!Array.isArray(observers)) toCall.push(observers);
      else for (const observer of observers) toCall.push(observer);
    }
  }

  /** Observed queries. */
  get size(): number {
    return this.#count;
  }
}
