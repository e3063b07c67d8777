// One live query result shared by every socket that asks for the same (function, arguments,
// identity): one execution per commit however many watch it. It knows when its result was read
// (snapshotTs), through which commit it is known to stay valid, and what it read.

import type { ReadSet, Timestamp } from "../db/types.js";
import type { JSONValue, Value } from "../../values/value.js";
import type { Caller } from "../runtime/runtime.js";

/** The result a watcher sends, without the queryId. */
export type EncodedResult =
  | { type: "QueryUpdated"; value: JSONValue; logLines: string[]; journal: string | null }
  | { type: "QueryFailed"; errorMessage: string; errorData?: JSONValue; logLines: string[]; journal: string | null };

/** Something that shows a subscription's result under its own query ids (a socket session). */
export interface SubscriptionWatcher {
  /** The subscription has a new result, or is valid through a later commit. */
  subscriptionChanged(subscription: Subscription): void;
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
  /** Commits processed while it ran; checked against the new read set when the run ends. */
  readonly deferredCommits: { ts: Timestamp; overlaps: (readSet: ReadSet | undefined) => boolean }[] = [];
  /** Watchers and the query ids under which each shows this subscription. */
  readonly watchers = new Map<SubscriptionWatcher, Set<number>>();
  /** Whether the last execution asked for the caller's identity (undefined before the first). */
  usedIdentity: boolean | undefined;
  /** Executions so far (tests and stats). */
  executions = 0;
  #comparable: string | undefined;

  constructor(
    readonly key: string,
    readonly name: string,
    readonly args: Value,
    /** The canonical encoding of `args` (part of the key). */
    readonly encodedArgs: string,
    readonly caller: Caller,
    /** The pagination journal the results should reproduce (protocol.md §14). */
    public journal: string | null,
  ) {}

  /** Installs a new result; returns whether it differs from the previous one. */
  setResult(result: EncodedResult, snapshotTs: Timestamp, readSet: ReadSet | undefined, usedIdentity: boolean): boolean {
    this.usedIdentity = usedIdentity;
    this.snapshotTs = snapshotTs;
    this.validThrough = snapshotTs;
    this.readSet = readSet;
    if (result.journal !== null) this.journal = result.journal;
    const comparable = JSON.stringify(result.type === "QueryUpdated" ? [result.value, result.journal] : [result.errorMessage, result.errorData ?? null]);
    const changed = comparable !== this.#comparable;
    this.result = result;
    if (changed) {
      this.#comparable = comparable;
      this.resultVersion++;
    }
    return changed;
  }
}
