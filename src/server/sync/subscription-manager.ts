// Keeps every live query result current. Identical subscriptions share one Subscription (and one
// execution per commit). After each commit only subscriptions whose read set the commit touched
// are re-run; the rest stay valid through it. Sessions ask for results and validity and build
// their transitions from them.

import type { Value } from "../../values/value.js";
import { readSetOverlaps, ReadSetIndex } from "../db/index.js";
import type { Commit, Database, ReadSet, Timestamp } from "../db/types.js";
import { logOutcome, type ServerLogger } from "../logger.js";
import { forClient, wireErrorData, wireValue, type Outcome } from "../runtime/outcome.js";
import type { Caller, QueryOutcome, Runtime } from "../runtime/runtime.js";
import { encodeResult, type EncodedResult } from "./encoded-result.js";
import { Subscription, subscriptionKey, type SubscriptionWatcher } from "./subscription.js";

export interface SubscriptionManagerOptions {
  prod: boolean;
  /** Where each execution's log lines and failure are printed (the dev terminal). */
  logger?: ServerLogger;
  /** How many query executions may run at once (in batches on shared snapshots; default: the database's `readsInFlight`). */
  concurrency?: number;
}


/** Pauses before running again subscriptions whose database read failed (see #retryLater). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

const NO_LOG_LINES: readonly string[] = [];

/** Most queries run on one snapshot (see #startRuns). */
const MAX_BATCH = 256;
/** How many batches the waiting subscriptions are spread over (see #startRuns). */
const BATCHES_IN_FLIGHT = 8;

/** Function names kept to share among subscriptions (see #sharedName). */
const MAX_SHARED_NAMES = 1000;

export class SubscriptionManager {
  readonly #subscriptions = new Map<string, Subscription>();
  /** Idle subscriptions by the index ids their read sets cover, to find what a commit touches. */
  readonly #idle = new ReadSetIndex<Subscription>();
  readonly #running = new Set<Subscription>();
  /**
   * Subscriptions that may hold a session's transition back: not idle, or idle with a snapshot
   * newer than `processedTs`. Every other one is valid through `processedTs`, so sessions only
   * look at these when picking a transition's timestamp.
   */
  readonly #unsettled = new Set<Subscription>();
  readonly #waiting: Subscription[] = [];
  readonly #pendingCommits: Commit[] = [];
  readonly #processedListeners = new Set<() => void>();
  readonly #names = new Map<string, string>();
  readonly #runtime: () => Runtime;
  readonly #options: SubscriptionManagerOptions;
  /** Subscriptions that may run at once. */
  readonly #concurrency: number;
  readonly #unsubscribeCommits: () => void;
  #processedTs: Timestamp;
  #pumpScheduled = false;
  #runsScheduled = false;
  #closed = false;
  /** Subscriptions whose run failed in the database, waiting for `#retryTimer`. */
  readonly #retrying: Subscription[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = FIRST_RETRY_MS;

  constructor(runtime: () => Runtime, db: Database, options: SubscriptionManagerOptions) {
    this.#runtime = runtime;
    this.#options = options;
    this.#concurrency = options.concurrency ?? db.readsInFlight;
    this.#processedTs = db.latestTimestamp();
    this.#unsubscribeCommits = db.onCommit((commit) => {
      this.#pendingCommits.push(commit);
      this.#schedulePump();
    });
  }

  /** Every commit up to this one has been checked against every subscription. */
  get processedTs(): Timestamp {
    return this.#processedTs;
  }

  /** Number of distinct subscriptions (shared ones count once). */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** Subscriptions that are not simply valid through `processedTs` (see above). */
  get unsettled(): ReadonlySet<Subscription> {
    return this.#unsettled;
  }

  /** Calls `listener` whenever `processedTs` advanced. */
  onProcessed(listener: () => void): () => void {
    this.#processedListeners.add(listener);
    return () => this.#processedListeners.delete(listener);
  }

  /**
   * Starts (or joins) the subscription for a query and records `watcher` under `queryId`.
   * `encodedArgs` must be the canonical encoding (sorted keys).
   */
  watch(watcher: SubscriptionWatcher, queryId: number, name: string, args: Value, encodedArgs: string, caller: Caller, journal: string | null): Subscription {
    const key = subscriptionKey(name, encodedArgs, caller, journal);
    let subscription = this.#subscriptions.get(key);
    if (subscription === undefined) {
      subscription = new Subscription(key, this.#sharedName(name), args, caller, journal);
      this.#subscriptions.set(key, subscription);
      this.#enqueue(subscription);
    }
    subscription.addWatch(watcher, queryId);
    return subscription;
  }

  /**
   * One string per function name for all its subscriptions (each Add parses its own copy).
   * Bounded: names come from clients, so the table starts over once it is full.
   */
  #sharedName(name: string): string {
    const shared = this.#names.get(name);
    if (shared !== undefined) return shared;
    if (this.#names.size >= MAX_SHARED_NAMES) this.#names.clear();
    this.#names.set(name, name);
    return name;
  }

  /** Drops one watch; the subscription ends with its last watcher. */
  unwatch(watcher: SubscriptionWatcher, queryId: number, subscription: Subscription): void {
    if (subscription.removeWatch(watcher, queryId) > 0) return;
    this.#subscriptions.delete(subscription.key);
    this.#unsettled.delete(subscription);
    this.#unindex(subscription);
  }

  /** The commit through which a subscription's current result is known to be valid. */
  validThrough(subscription: Subscription): Timestamp {
    if (subscription.state === "idle") {
      return this.#processedTs > subscription.snapshotTs ? this.#processedTs : subscription.snapshotTs;
    }
    return subscription.validThrough;
  }

  /** Re-runs every subscription (after a code reload); clients see only results that changed. */
  rerunAll(): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.state === "idle") {
        subscription.validThrough = this.validThrough(subscription);
        this.#unindex(subscription);
        this.#enqueue(subscription);
      } else if (subscription.state === "running") {
        // Its result comes from the old code: run again once it finishes.
        (subscription.deferredCommits ??= []).push({ ts: subscription.snapshotTs + 1n, overlaps: () => true });
        // (ts just above any snapshot it can be reading at, so the check below always applies)
      }
    }
  }

  /** Stops listening for commits; running executions finish and are discarded. */
  close(): void {
    this.#closed = true;
    this.#unsubscribeCommits();
    clearTimeout(this.#retryTimer);
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#processCommits();
    });
  }

  /** Checks every pending commit against the subscriptions it could touch. */
  #processCommits(): void {
    if (this.#closed || this.#pendingCommits.length === 0) return;
    const commits = this.#pendingCommits.splice(0);
    for (const commit of commits) {
      const overlaps = (readSet: ReadSet | undefined) => readSet !== undefined && readSetOverlaps(readSet, commit.writeSet);
      for (const running of this.#running) (running.deferredCommits ??= []).push({ ts: commit.ts, overlaps });
      for (const subscription of this.#idle.candidates(commit.writeSet)) {
        if (subscription.state !== "idle" || commit.ts <= subscription.snapshotTs) continue;
        if (overlaps(subscription.readSet)) {
          // Valid through the commit before this one; re-run.
          subscription.validThrough = commit.ts - 1n;
          this.#unindex(subscription);
          this.#enqueue(subscription);
        }
      }
      if (commit.ts > this.#processedTs) this.#processedTs = commit.ts;
    }
    for (const subscription of this.#unsettled) {
      if (subscription.state === "idle" && subscription.snapshotTs <= this.#processedTs) this.#unsettled.delete(subscription);
    }
    for (const listener of this.#processedListeners) listener();
  }

  #enqueue(subscription: Subscription): void {
    subscription.state = "dirty";
    this.#unsettled.add(subscription);
    this.#waiting.push(subscription);
    this.#scheduleRuns();
  }

  /**
   * Starts runs once the current task is done: every Add of one ModifyQuerySet (every
   * subscription one commit touched) is waiting by then and they share snapshots, where
   * starting at once would run the first one alone.
   */
  #scheduleRuns(): void {
    if (this.#runsScheduled) return;
    this.#runsScheduled = true;
    queueMicrotask(() => {
      this.#runsScheduled = false;
      if (!this.#closed) this.#startRuns();
    });
  }

  /**
   * Starts batches of waiting subscriptions, up to `concurrency` subscriptions running at once.
   * A batch runs its queries on one snapshot of one read transaction: 10,000 queries added at
   * once open 10,000 / MAX_BATCH snapshots, not 10,000. The waiting ones are spread over
   * BATCHES_IN_FLIGHT batches, so a few slow queries do not hold back the rest, and an engine
   * with round trips (Postgres) keeps several connections busy.
   */
  #startRuns(): void {
    const limit = this.#concurrency;
    // Sized once from what waits now: sized per batch, each batch would be smaller than the last.
    const perBatch = Math.min(MAX_BATCH, Math.max(1, Math.ceil(this.#waiting.length / BATCHES_IN_FLIGHT)));
    while (this.#running.size < limit && this.#waiting.length > 0) {
      // Room for a few only: wait for a whole batch's room rather than open a snapshot for them.
      if (this.#running.size > 0 && limit - this.#running.size < Math.min(perBatch, this.#waiting.length)) break;
      // Taken in one splice: shift() one at a time moves the whole queue (10,000) for each.
      const taken = this.#waiting.splice(0, Math.min(perBatch, limit - this.#running.size));
      const batch: Subscription[] = [];
      for (const subscription of taken) {
        // Removed, or already run for what queued it (queued twice): nothing to do.
        if (subscription.state !== "dirty" || this.#subscriptions.get(subscription.key) !== subscription) continue;
        subscription.state = "running";
        this.#running.add(subscription);
        batch.push(subscription);
      }
      if (batch.length > 0) void this.#run(batch);
    }
  }

  async #run(batch: readonly Subscription[]): Promise<void> {
    let outcomes: QueryOutcome[];
    try {
      outcomes = await this.#runtime().queryBatch(
        batch.map((subscription) => ({
          name: subscription.name,
          args: subscription.args,
          caller: subscription.caller,
          options: { journal: subscription.journal, encodedArgs: subscription.encodedArgs },
        })),
      );
    } catch (error) {
      // The database failed, not the queries (a function's own error is an outcome): their
      // clients keep the last results, and they run again once the database answers.
      for (const subscription of batch) {
        this.#running.delete(subscription);
        this.#retryLater(subscription, error);
      }
      return;
    }
    this.#retryDelayMs = FIRST_RETRY_MS;
    for (let i = 0; i < batch.length; i++) this.#finishRun(batch[i]!, outcomes[i]!);
    this.#startRuns();
  }

  /** Takes one execution's outcome: the new result, and whether a commit made meanwhile needs another run. */
  #finishRun(subscription: Subscription, outcome: QueryOutcome): void {
    this.#running.delete(subscription);
    subscription.executions++;
    if (this.#options.logger) logOutcome(this.#options.logger, "query", subscription.name, outcome);
    const live = this.#subscriptions.get(subscription.key) === subscription && !this.#closed;
    if (!live) return;
    const changed = subscription.setResult(this.#encode(outcome), outcome.ts, outcome.readSet, outcome.usedIdentity);
    const deferred = subscription.deferredCommits;
    subscription.deferredCommits = undefined;
    const touched = deferred?.find((commit) => commit.ts > outcome.ts && commit.overlaps(outcome.readSet));
    if (touched !== undefined) {
      subscription.validThrough = touched.ts - 1n;
      this.#enqueue(subscription);
    } else {
      subscription.state = "idle";
      if (subscription.snapshotTs <= this.#processedTs) this.#unsettled.delete(subscription);
      this.#index(subscription);
    }
    if (changed || touched === undefined) {
      for (const watcher of subscription.watchers()) watcher.subscriptionChanged(subscription);
    }
  }

  /**
   * Runs `subscription` again after a pause that doubles while the database keeps failing (one
   * pause for all of them: a database that is away fails every subscription at once).
   */
  #retryLater(subscription: Subscription, error: unknown): void {
    subscription.state = "dirty";
    this.#retrying.push(subscription);
    if (this.#retryTimer !== undefined || this.#closed) return;
    this.#options.logger?.warn(`Live queries could not run (${(error as Error).message ?? String(error)}); retrying in ${this.#retryDelayMs} ms`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#retryDelayMs = Math.min(2 * this.#retryDelayMs, MAX_RETRY_MS);
      if (this.#closed) return;
      this.#waiting.push(...this.#retrying.splice(0));
      this.#startRuns();
    }, this.#retryDelayMs);
    this.#retryTimer.unref();
  }

  #encode(outcome: QueryOutcome): EncodedResult {
    const journal = outcome.journal ?? null;
    // A result is shown whole (forClient only drops its log lines in production): no copy of it.
    if (outcome.ok) return encodeResult({ type: "QueryUpdated", value: wireValue(outcome), logLines: this.#options.prod ? NO_LOG_LINES : outcome.logLines, journal });
    const visible = forClient(outcome, this.#options.prod) as Outcome & { ok: false }; // a failure stays one
    const errorData = wireErrorData(visible);
    return encodeResult({
      type: "QueryFailed",
      errorMessage: visible.message,
      ...(errorData !== undefined ? { errorData } : {}),
      logLines: visible.logLines,
      journal,
    });
  }

  #index(subscription: Subscription): void {
    this.#idle.add(subscription, subscription.readSet);
  }

  #unindex(subscription: Subscription): void {
    this.#idle.remove(subscription, subscription.readSet);
  }
}
