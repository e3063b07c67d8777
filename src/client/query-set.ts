// What the client wants: the set of live queries, each with a reference count (protocol.md §3,
// §5, §6). Changes are batched: `acquire` and `release` only record them, and `takeChanges()`
// turns everything recorded since the last call into one `ModifyQuerySet`. So 10,000 subscriptions
// made in one tick cost one message, and a subscribe + unsubscribe in the same tick (a React
// StrictMode double mount) costs none.

import type { AddQuery, ModifyQuerySet, QuerySetModification, RemoveQuery } from "../protocol/messages.js";
import type { JSONValue, Value } from "../values/value.js";
import type { ObservableQuery } from "./query-observers.js";
import type { QueryResult } from "./query-result.js";
import type { ResultSlot } from "./remote-query-results.js";
import { argsOfToken, type QueryToken } from "./query-token.js";

/**
 * The record of one query. QuerySet owns the identity, reference count and journal; the other
 * state machines keep their per-query state here too (`serverResult` for RemoteQueryResults, the
 * observer fields for QueryObservers), so a query costs one object and two map entries instead of
 * several objects and four maps - about 130 bytes less for each of the 10,000s of queries a
 * client may hold.
 */
export interface LocalQuery extends ResultSlot, ObservableQuery {
  /** From a per-client counter, never reused, kept across reconnects. */
  readonly id: number;
  readonly token: QueryToken;
  /** The canonical function name. */
  readonly udfPath: string;
  /** Subscribers holding this query (0 while its Remove waits to be sent). */
  refCount: number;
  /** The last journal the server gave for this query (echoed on re-Add, §14). */
  journal: string | null | undefined;
  /** Written by RemoteQueryResults, read by QueryObservers. */
  serverResult: QueryResult<Value> | undefined;
}

/**
 * The local query set.
 *
 * @example
 * const set = new QuerySet();
 * set.acquire("messages:list", { room: "a" }, token);
 * set.takeChanges(); // { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [Add 0] }
 */
export class QuerySet {
  readonly #byToken = new Map<QueryToken, LocalQuery>();
  readonly #byId = new Map<number, LocalQuery>();
  /** Modifications not yet sent, by query id, in the order they happened. */
  readonly #pending = new Map<number, QuerySetModification>();
  /** Queries re-added by the last restart that have no result on the new socket yet. */
  readonly #awaitingResult = new Set<number>();
  #nextId = 0;
  #version = 0;

  /** The last querySet version sent on this socket. */
  get version(): number {
    return this.#version;
  }

  /** Live queries (including those whose Remove is not yet sent). */
  get size(): number {
    return this.#byToken.size;
  }

  /**
   * The query for a token. A query whose last subscriber left is still here until its Remove is
   * sent: the server still runs it, and a subscriber coming back in the same batch reuses it.
   */
  get(token: QueryToken): LocalQuery | undefined {
    return this.#byToken.get(token);
  }

  /** The query with this id (see `get`); undefined once the client let go of it. */
  byId(queryId: number): LocalQuery | undefined {
    return this.#byId.get(queryId);
  }

  /** The server's result for a query the client holds (the base optimistic updates are laid over). */
  serverResult(token: QueryToken): QueryResult<Value> | undefined {
    return this.#byToken.get(token)?.serverResult;
  }

  /** The tokens of every query of a function that has subscribers. */
  *tokensOf(udfPath: string): Iterable<QueryToken> {
    for (const query of this) if (query.udfPath === udfPath) yield query.token;
  }

  /** Every query that has subscribers. */
  *[Symbol.iterator](): IterableIterator<LocalQuery> {
    for (const query of this.#byToken.values()) if (query.refCount > 0) yield query;
  }

  /** Adds a subscriber; the first one records an `Add`. */
  acquire(udfPath: string, encodedArgs: JSONValue, token: QueryToken, journal?: string | null): LocalQuery {
    const existing = this.#byToken.get(token);
    if (existing !== undefined) {
      // A query released in this same batch comes back without touching the server.
      if (existing.refCount === 0) this.#pending.delete(existing.id);
      existing.refCount++;
      return existing;
    }
    const query: LocalQuery = {
      id: this.#nextId++,
      token,
      udfPath,
      refCount: 1,
      journal,
      serverResult: undefined,
      observers: undefined,
      shown: undefined,
      shownSource: undefined,
      shownOptimistic: false,
    };
    this.#byToken.set(token, query);
    this.#byId.set(query.id, query);
    this.#pending.set(query.id, addFor(query, encodedArgs));
    return query;
  }

  /** Drops a subscriber; the last one records a `Remove`. Returns false for an unknown token. */
  release(token: QueryToken): boolean {
    const query = this.#byToken.get(token);
    if (query === undefined || query.refCount === 0) return false;
    if (--query.refCount > 0) return true;
    this.#awaitingResult.delete(query.id);
    if (this.#pending.get(query.id)?.type === "Add") {
      // Never sent: the server never has to hear of it.
      this.#pending.delete(query.id);
      this.#forget(query);
    } else {
      this.#pending.set(query.id, { type: "Remove", queryId: query.id } satisfies RemoveQuery);
    }
    return true;
  }

  /** True when there are changes for `takeChanges()`. */
  get hasChanges(): boolean {
    return this.#pending.size > 0;
  }

  /** The recorded changes as one ModifyQuerySet for the current socket, or null if there are none. */
  takeChanges(): ModifyQuerySet | null {
    if (this.#pending.size === 0) return null;
    const modifications = [...this.#pending.values()];
    this.#pending.clear();
    for (const modification of modifications) {
      if (modification.type === "Remove") {
        const query = this.#byId.get(modification.queryId);
        if (query !== undefined && query.refCount === 0) this.#forget(query);
      }
    }
    const baseVersion = this.#version;
    this.#version = baseVersion + 1;
    return { type: "ModifyQuerySet", baseVersion, newVersion: this.#version, modifications };
  }

  /**
   * A new socket opened: every live query is added again under its old id with its last journal
   * (§6), as version 0 -> 1, even when there are none. Recorded changes are superseded.
   */
  restart(): ModifyQuerySet {
    this.#pending.clear();
    this.#awaitingResult.clear();
    const modifications: AddQuery[] = [];
    for (const query of [...this.#byToken.values()]) {
      if (query.refCount === 0) {
        this.#forget(query);
        continue;
      }
      modifications.push(addFor(query, argsOfToken(query.token)));
      this.#awaitingResult.add(query.id);
    }
    this.#version = 1;
    return { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications };
  }

  /** The server sent a result (or failure) for a query: keep its journal. */
  noteResult(queryId: number, journal: string | null | undefined): void {
    this.#awaitingResult.delete(queryId);
    const query = this.#byId.get(queryId);
    if (query !== undefined && journal !== undefined) query.journal = journal;
  }

  /** Every query re-added by the last restart has a result again. */
  get caughtUp(): boolean {
    return this.#awaitingResult.size === 0;
  }

  #forget(query: LocalQuery): void {
    this.#byToken.delete(query.token);
    this.#byId.delete(query.id);
  }
}

function addFor(query: LocalQuery, encodedArgs: JSONValue): AddQuery {
  const add: AddQuery = { type: "Add", queryId: query.id, udfPath: query.udfPath, args: [encodedArgs] };
  // Optional fields are omitted, not null, unless there is a journal to echo (§1, §14).
  if (query.journal !== undefined && query.journal !== null) add.journal = query.journal;
  return add;
}
