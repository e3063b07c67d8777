// A dynamic set of live queries in one hook (a list of rooms, a grid of cells).

import { useCallback, useDebugValue, useRef, useSyncExternalStore } from "react";
import type { QueryResult } from "../src/client/query-result.js";
import type { QueryWatch } from "../src/client/query-watch.js";
import type { PublicQueryReference } from "../src/client/types.js";
import type { FunctionArgs, FunctionReturnType } from "../src/functions/reference.js";
import { useSyncline } from "./context.js";

/** One query of `useQueries`. */
export interface QueryRequest<Q extends PublicQueryReference = PublicQueryReference> {
  query: Q;
  args: FunctionArgs<Q>;
}

/** Per key: the value, `undefined` while loading, or the `Error` the query failed with. */
export type QueriesResult<R extends Record<string, QueryRequest>> = {
  [K in keyof R]: FunctionReturnType<R[K]["query"]> | undefined | Error;
};

/**
 * Subscribes to every query of `requests` (keys are yours) and returns their current results.
 * Adding or removing keys adds or removes subscriptions.
 *
 * @example
 * const counts = useQueries(Object.fromEntries(rooms.map((room) => [room, { query: api.messages.count, args: { room } }])));
 */
export function useQueries<R extends Record<string, QueryRequest>>(requests: R): QueriesResult<R> {
  const client = useSyncline();
  const kept = useRef<{ signature: string; watches: [string, QueryWatch<unknown>][] } | undefined>(undefined);
  const made = Object.entries(requests).map(([key, request]) => [key, client.watchQuery(request.query, request.args as never)] as [string, QueryWatch<unknown>]);
  const signature = made.map(([key, watch]) => `${key}\u0000${watch.key}`).join("\u0001");
  if (kept.current?.signature !== signature) kept.current = { signature, watches: made };
  const watches = kept.current.watches;

  const subscribe = useCallback(
    (listener: () => void) => {
      const stops = watches.map(([, watch]) => watch.subscribe(listener));
      return () => stops.forEach((stop) => stop());
    },
    [watches],
  );
  // The output is kept while the watches and their snapshots are the same. The watches are part
  // of the check: a renamed key (or any loading query, which all share one LOADING snapshot) can
  // bring back the very same snapshots under other keys.
  const cache = useRef<{ watches: [string, QueryWatch<unknown>][]; inputs: QueryResult<unknown>[]; output: QueriesResult<R> } | undefined>(undefined);
  const getSnapshot = useCallback((): QueriesResult<R> => {
    const inputs = watches.map(([, watch]) => watch.getCurrentResult());
    const previous = cache.current;
    if (previous?.watches === watches && previous.inputs.every((input, i) => input === inputs[i])) return previous.output;
    const output = Object.fromEntries(
      watches.map(([key], i) => {
        const result = inputs[i]!;
        return [key, result.status === "error" ? result.error : result.value];
      }),
    ) as QueriesResult<R>;
    cache.current = { watches, inputs, output };
    return output;
  }, [watches]);
  const results = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  useDebugValue(`${watches.length} queries`);
  return results;
}
