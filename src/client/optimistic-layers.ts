// Optimistic updates: each pending mutation may hold a layer of local changes over the server's
// results. Layers are replayed, in call order, over every new server state, so a server update to
// a query does not wipe out what a pending mutation promised; a layer disappears in the same step
// its mutation's result becomes visible (no flicker), or when the mutation fails (rollback).

import { getFunctionName, assertClientReference, type FunctionReference } from "../functions/reference.js";
import { decodeValue } from "../values/encoding.js";
import type { Value } from "../values/value.js";
import { argsOfToken, encodeArgs, queryToken, type QueryToken } from "./query-token.js";
import { LOADING, successResult, type QueryResult } from "./query-result.js";
import type { OptimisticLocalStore } from "./types.js";
import { equalValues } from "./value-equality.js";

/** What the layers are laid over. */
export interface OptimisticBase {
  /** The server's result for a query, if the client holds it. */
  serverResult(token: QueryToken): QueryResult<Value> | undefined;
  /** The tokens of every live query of a function. */
  tokensOf(udfPath: string): Iterable<QueryToken>;
}

/** One query as the layers left it: a value, or "loading" (`setQuery(ref, args, undefined)`). */
interface OverlayEntry {
  readonly udfPath: string;
  readonly result: QueryResult<Value>;
}

type Layer = { readonly requestId: number; readonly update: (store: OptimisticLocalStore) => void };

/**
 * The optimistic layers and what they add up to.
 *
 * @example
 * const layers = new OptimisticLayers(base, log);
 * layers.push(7, (store) => store.setQuery(api.messages.list, { room }, [...old, draft]));
 * layers.result(token); // the optimistic list
 * layers.drop(7); layers.replay(); // mutation 7 is visible (or failed)
 */
export class OptimisticLayers {
  readonly #base: OptimisticBase;
  readonly #reportError: (requestId: number, error: unknown) => void;
  #layers: Layer[] = [];
  #overlay = new Map<QueryToken, OverlayEntry>();

  constructor(base: OptimisticBase, reportError: (requestId: number, error: unknown) => void) {
    this.#base = base;
    this.#reportError = reportError;
  }

  /** Layers pending. */
  get size(): number {
    return this.#layers.length;
  }

  has(requestId: number): boolean {
    return this.#layers.some((layer) => layer.requestId === requestId);
  }

  /** The optimistic result of a query, or undefined when no layer touched it. */
  result(token: QueryToken): QueryResult<Value> | undefined {
    // Without layers (the usual case) there is nothing to look up.
    return this.#layers.length === 0 ? undefined : this.#overlay.get(token)?.result;
  }

  /** Adds a layer on top and applies it; returns the queries whose optimistic result changed. */
  push(requestId: number, update: (store: OptimisticLocalStore) => void): QueryToken[] {
    const layer = { requestId, update };
    this.#layers.push(layer);
    const before = new Map(this.#overlay);
    this.#run(layer, before);
    return changedTokens(before, this.#overlay);
  }

  /** Removes a mutation's layer; call `replay()` afterwards. Returns false if it had none. */
  drop(requestId: number): boolean {
    const index = this.#layers.findIndex((layer) => layer.requestId === requestId);
    if (index === -1) return false;
    this.#layers.splice(index, 1);
    return true;
  }

  /** Recomputes every layer over the current server results; returns the queries whose optimistic result changed. */
  replay(): QueryToken[] {
    const before = this.#overlay;
    this.#overlay = new Map();
    for (const layer of this.#layers) this.#run(layer, before);
    return changedTokens(before, this.#overlay);
  }

  /** Runs one layer. Its writes land only if it does not throw. Equal values keep their old snapshot. */
  #run(layer: Layer, previous: Map<QueryToken, OverlayEntry>): void {
    const writes = new Map<QueryToken, OverlayEntry>();
    const read = (token: QueryToken): QueryResult<Value> | undefined =>
      writes.get(token)?.result ?? this.#overlay.get(token)?.result ?? this.#base.serverResult(token);
    const store: OptimisticLocalStore = {
      getQuery: (query: FunctionReference<"query", "public">, ...rest: [args?: Record<string, unknown>]) => {
        const result = read(tokenOf(query, rest[0]));
        return (result?.status === "success" ? result.value : undefined) as never;
      },
      setQuery: (query: FunctionReference<"query", "public">, args: Record<string, unknown>, value: unknown) => {
        const token = tokenOf(query, args);
        const old = previous.get(token)?.result;
        let result: QueryResult<Value>;
        if (value === undefined) result = LOADING;
        else if (old?.status === "success" && equalValues(old.value, value as Value)) result = old;
        else result = successResult(value as Value);
        writes.set(token, { udfPath: getFunctionName(query), result });
      },
      getAllQueries: (query: FunctionReference<"query", "public">) => {
        const name = getFunctionName(query);
        const tokens = new Set<QueryToken>();
        for (const [token, entry] of [...this.#overlay, ...writes]) if (entry.udfPath === name) tokens.add(token);
        for (const token of this.#base.tokensOf(name)) tokens.add(token);
        return [...tokens].map((token) => {
          const result = read(token);
          return { args: decodeValue(argsOfToken(token)), value: result?.status === "success" ? result.value : undefined };
        }) as never;
      },
    } as OptimisticLocalStore;
    try {
      const returned: unknown = layer.update(store);
      if (returned instanceof Promise) {
        this.#reportError(layer.requestId, new Error("An optimistic update returned a Promise; it must change the store synchronously (the awaited part is ignored)."));
      }
    } catch (error) {
      this.#reportError(layer.requestId, error);
      return;
    }
    for (const [token, entry] of writes) this.#overlay.set(token, entry);
  }
}

function tokenOf(query: FunctionReference<"query", "public">, args: Record<string, unknown> | undefined): QueryToken {
  assertClientReference(query, "query");
  return queryToken(getFunctionName(query), encodeArgs(args));
}

function changedTokens(before: Map<QueryToken, OverlayEntry>, after: Map<QueryToken, OverlayEntry>): QueryToken[] {
  const changed: QueryToken[] = [];
  for (const [token, entry] of after) if (before.get(token)?.result !== entry.result) changed.push(token);
  for (const token of before.keys()) if (!after.has(token)) changed.push(token);
  return changed;
}
