// One query as an external store: `getCurrentResult()` and `subscribe(listener)`, the pair
// React's useSyncExternalStore (and any other framework's equivalent) takes. Creating a watch is
// cheap and subscribes nothing; the first `subscribe` does.

import type { JSONValue } from "../values/value.js";
import type { QueryObserver } from "./query-observers.js";
import type { QueryResult } from "./query-result.js";
import type { QueryToken } from "./query-token.js";
import type { SyncEngine } from "./sync-engine.js";

/**
 * A live query.
 *
 * @example
 * const watch = client.watchQuery(api.messages.list, { room: "a" });
 * const stop = watch.subscribe(() => {
 *   const result = watch.getCurrentResult();
 *   if (result.status === "success") render(result.value);
 * });
 * // React: useSyncExternalStore(watch.subscribe, watch.getCurrentResult)
 */
export class QueryWatch<T> {
  /** Equal for watches of the same function with equal arguments (in any key order). */
  readonly key: QueryToken;
  /** The canonical function name. */
  readonly name: string;

  /** The current snapshot: the same object until the result changes. Bound: pass it around freely. */
  readonly getCurrentResult: () => QueryResult<T>;

  /**
   * Subscribes the query (sharing one server subscription with every equal watch) and calls
   * `listener` whenever its snapshot changes. Returns the function that unsubscribes. Bound.
   */
  readonly subscribe: (listener: () => void) => () => void;

  /** @internal Use `client.watchQuery`. */
  constructor(engine: SyncEngine, name: string, encodedArgs: JSONValue, key: QueryToken, lingerMs: number) {
    this.name = name;
    this.key = key;
    // Assigned here rather than declared as arrow-function class fields: V8 names those at run time,
    // which turns each function into a ~250-byte dictionary-mode object.
    this.getCurrentResult = () => engine.currentResult(key) as QueryResult<T>;
    this.subscribe = (listener) => {
      const query = engine.acquire(name, encodedArgs, key);
      const observer = new ListenerObserver(listener);
      engine.observe(query, observer);
      return () => {
        if (!observer.active) return;
        observer.active = false;
        engine.unobserve(query, observer);
        engine.release(query, lingerMs);
      };
    };
  }
}

/** Calls a listener while active: one removed during a notification round is not called any more. */
class ListenerObserver implements QueryObserver {
  active = true;
  readonly #listener: () => void;

  constructor(listener: () => void) {
    this.#listener = listener;
  }

  onQueryChange(): void {
    if (this.active) this.#listener();
  }
}
