// One live query result shared by every socket that asks for the same (function, arguments,
// identity): one execution per commit however many watch it, and one encoding of each result
// however many sockets send it (encoded-result.ts). It knows when its result was read
// (snapshotTs), through which commit it is known to stay valid, and what it read.
//
// A server may hold tens of thousands of these, most watched by one socket under one query id:
// that common case is kept in two fields, and a map only exists once a second socket watches.

import { identityKey } from "../auth/identity.js";
import type { ReadSet, Timestamp } from "../db/types.js";
import type { Value } from "../../values/value.js";
import type { Caller } from "../runtime/runtime.js";
import type { EncodedResult } from "./encoded-result.js";

export type { EncodedResult } from "./encoded-result.js";

/** Something that shows a subscription's result under its own query ids (a socket session). */
export interface SubscriptionWatcher {
  /** The subscription has a new result, or is valid through a later commit. */
  subscriptionChanged(subscription: Subscription): void;
}

/** A commit processed while the subscription ran; checked against the new read set when the run ends. */
export interface DeferredCommit {
  ts: Timestamp;
  overlaps: (readSet: ReadSet | undefined) => boolean;
}

/** The query ids one watcher shows a subscription under: one id (the usual case) or several. */
type QueryIds = number | Set<number>;

const NO_IDS: readonly number[] = [];

/** Between the parts of a subscription key: canonical names and JSON text never contain it raw. */
const KEY_SEPARATOR = "\u0000";

/**
 * The key of a call's subscription: canonical name, canonical encoded args, identity, and the
 * journal asked for - a page re-added with its journal must get its own bounds back (§14), not
 * those of another socket's page over the same arguments.
 *
 * @example
 * subscriptionKey("messages:list", '{"room":"a"}', caller, null); // 'messages:list\u0000{"room":"a"}\u0000...'
 */
export function subscriptionKey(name: string, encodedArgs: string, caller: Caller, journal: string | null): string {
  const parts = [name, encodedArgs, identityKey(caller.identity)];
  if (journal !== null) parts.push(journal); // most have none: their keys stay short
  // Joined, not concatenated: one flat string, where `+` would keep a tree of pieces per key.
  return parts.join(KEY_SEPARATOR);
}

export class Subscription {
  /** The current result; undefined until the first execution finished. */
  result: EncodedResult | undefined;
  /** Bumped only when the result's value or error actually changed. */
  resultVersion = 0;
  /** The snapshot the current result was read at. */
  snapshotTs: Timestamp = 0n;
  /** While the subscription is invalidated or running: the last commit it is known valid through. */
  validThrough: Timestamp = 0n;
  readSet: ReadSet | undefined;
  /** Idle (valid through every processed commit), dirty (a commit touched it), or running. */
  state: "idle" | "dirty" | "running" = "dirty";
  /** Commits processed while it ran (created on the first one). */
  deferredCommits: DeferredCommit[] | undefined;
  /** Whether the last execution asked for the caller's identity (undefined before the first). */
  usedIdentity: boolean | undefined;
  /** Executions so far (tests and stats). */
  executions = 0;
  /** The only watcher, while there is one; #more holds them all once there are several. */
  #first: SubscriptionWatcher | undefined;
  #firstIds: QueryIds | undefined;
  #more: Map<SubscriptionWatcher, QueryIds> | undefined;

  constructor(
    /** `subscriptionKey(name, encodedArgs, caller, journal)`. */
    readonly key: string,
    readonly name: string,
    readonly args: Value,
    readonly caller: Caller,
    /** The pagination journal the results should reproduce (protocol.md §14). */
    public journal: string | null,
  ) {}

  /**
   * The canonical encoding of `args`, read back from the key rather than kept twice (a server
   * holds tens of thousands of subscriptions). Each run asks for it (the query cache's key) and so
   * does a socket's identity change: one slice of the key, where encoding the arguments again
   * would walk them.
   */
  get encodedArgs(): string {
    const start = this.name.length + 1;
    return this.key.slice(start, this.key.indexOf(KEY_SEPARATOR, start));
  }

  /** How many watchers (sockets) show this subscription. */
  get watcherCount(): number {
    return this.#more !== undefined ? this.#more.size : this.#first !== undefined ? 1 : 0;
  }

  /** Every watcher, each once. */
  watchers(): Iterable<SubscriptionWatcher> {
    if (this.#more !== undefined) return this.#more.keys();
    return this.#first !== undefined ? [this.#first] : [];
  }

  /** The query ids `watcher` shows this subscription under (none when it does not watch it). */
  idsOf(watcher: SubscriptionWatcher): Iterable<number> {
    const ids = this.#more !== undefined ? this.#more.get(watcher) : watcher === this.#first ? this.#firstIds : undefined;
    if (ids === undefined) return NO_IDS;
    return typeof ids === "number" ? [ids] : ids;
  }

  /**
   * Records that `watcher` shows this subscription under `queryId`.
   *
   * @example
   * subscription.addWatch(session, 3);
   */
  addWatch(watcher: SubscriptionWatcher, queryId: number): void {
    if (this.#more === undefined && (this.#first === undefined || this.#first === watcher)) {
      this.#first = watcher;
      this.#firstIds = withId(this.#firstIds, queryId);
      return;
    }
    if (this.#more === undefined) {
      this.#more = new Map([[this.#first!, this.#firstIds!]]);
      this.#first = this.#firstIds = undefined;
    }
    this.#more.set(watcher, withId(this.#more.get(watcher), queryId));
  }

  /**
   * Forgets one watch; returns how many watchers remain.
   *
   * @example
   * if (subscription.removeWatch(session, 3) === 0) dropSubscription();
   */
  removeWatch(watcher: SubscriptionWatcher, queryId: number): number {
    if (this.#more === undefined) {
      if (watcher === this.#first) {
        this.#firstIds = withoutId(this.#firstIds, queryId);
        if (this.#firstIds === undefined) this.#first = undefined;
      }
    } else {
      const ids = withoutId(this.#more.get(watcher), queryId);
      if (ids === undefined) this.#more.delete(watcher);
      else this.#more.set(watcher, ids);
    }
    return this.watcherCount;
  }

  /** Installs a new result; returns whether it differs from the previous one. */
  setResult(result: EncodedResult, snapshotTs: Timestamp, readSet: ReadSet | undefined, usedIdentity: boolean): boolean {
    this.usedIdentity = usedIdentity;
    this.snapshotTs = snapshotTs;
    this.validThrough = snapshotTs;
    this.readSet = readSet;
    if (result.journal !== null) this.journal = result.journal;
    // The encoding is canonical (one server, one encoder): equal text is an equal result.
    const changed = this.result === undefined || result.json !== this.result.json;
    this.result = result;
    if (changed) this.resultVersion++;
    return changed;
  }
}

function withId(ids: QueryIds | undefined, queryId: number): QueryIds {
  if (ids === undefined || ids === queryId) return queryId;
  if (typeof ids === "number") return new Set([ids, queryId]);
  ids.add(queryId);
  return ids;
}

function withoutId(ids: QueryIds | undefined, queryId: number): QueryIds | undefined {
  if (ids === undefined || ids === queryId) return undefined;
  if (typeof ids === "number") return ids;
  ids.delete(queryId);
  return ids.size === 0 ? undefined : ids;
}
