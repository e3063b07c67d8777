// Query results kept after the call that computed them: "if many clients request the same query,
// with the same arguments, they will receive a cached response" (the functions documentation).
// Live subscriptions already share one result while they overlap; this cache also answers the
// query asked again after its last subscriber left (a page reload, a remounted component), one-shot
// HTTP queries, and `ctx.runQuery` from actions.
//
// An entry stays exactly as valid as a live query would: it is dropped by the first commit that
// writes into what it read (the read-set test live queries use), so a hit is the result running
// the query now would give. Only successful results are kept, never across a code reload.

import { readSetOverlaps, ReadSetIndex } from "../db/index.js";
import type { Commit, Database, Timestamp } from "../db/types.js";
import type { JSONValue } from "../../values/value.js";
import { wireValue, type Outcome } from "./outcome.js";
import type { QueryOutcome } from "./query-outcome.js";

export interface QueryCacheLimits {
  /** Most results kept (least recently used go first). */
  maxEntries: number;
  /** Most bytes of results kept, estimated from their wire encoding. */
  maxBytes: number;
}

export const DEFAULT_QUERY_CACHE_LIMITS: QueryCacheLimits = { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 };

type CachedOutcome = QueryOutcome & Outcome & { ok: true };

interface Entry {
  readonly key: string;
  readonly outcome: CachedOutcome;
  readonly bytes: number;
}

/** One execution in progress: the commits made meanwhile decide whether its result may be kept. */
export interface CacheRun {
  readonly generation: number;
  readonly commits: Commit[];
}

/**
 * @example
 * const cached = cache.get(key);
 * if (cached) return cached;
 * const run = cache.begin();
 * const outcome = await execute();
 * cache.finish(run, key, outcome);
 */
export class QueryCache {
  /** In least-recently-used order. */
  readonly #entries = new Map<string, Entry>();
  readonly #byIndex = new ReadSetIndex<Entry>();
  readonly #runs = new Set<CacheRun>();
  readonly #limits: QueryCacheLimits;
  /** The newest commit checked against every entry: entries are valid through it. */
  #checkedThrough: Timestamp;
  #bytes = 0;
  /** Bumped by `clear()`: runs begun before it ran old code and must not be kept. */
  #generation = 0;
  #hits = 0;

  constructor(db: Pick<Database, "latestTimestamp" | "onCommit">, limits: QueryCacheLimits = DEFAULT_QUERY_CACHE_LIMITS) {
    this.#limits = limits;
    this.#checkedThrough = db.latestTimestamp();
    db.onCommit((commit) => this.#onCommit(commit));
  }

  /** Results kept now, and hits so far (tests, stats). */
  get stats(): { entries: number; bytes: number; hits: number } {
    return { entries: this.#entries.size, bytes: this.#bytes, hits: this.#hits };
  }

  /**
   * The result for `key`, valid at the newest commit, or undefined. A hit ran nothing, so it
   * carries no log lines.
   */
  get(key: string): QueryOutcome | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key); // re-inserted: now the most recently used
    this.#entries.set(key, entry);
    this.#hits++;
    const ts = entry.outcome.ts > this.#checkedThrough ? entry.outcome.ts : this.#checkedThrough;
    return { ...entry.outcome, ts, logLines: [] };
  }

  /** Call before an execution starts reading, so every commit it might miss is seen. */
  begin(): CacheRun {
    const run = { generation: this.#generation, commits: [] };
    this.#runs.add(run);
    return run;
  }

  /** Ends a run; keeps its result if it succeeded and no commit since its snapshot changed it. */
  finish(run: CacheRun, key: string, outcome: QueryOutcome): void {
    this.#runs.delete(run);
    if (!outcome.ok || outcome.readSet === undefined || run.generation !== this.#generation) return;
    const { readSet, ts } = outcome;
    if (run.commits.some((commit) => commit.ts > ts && readSetOverlaps(readSet, commit.writeSet))) return;
    const encoded = wireValue(outcome);
    const bytes = approximateBytes(encoded) + key.length;
    if (bytes > this.#limits.maxBytes / 4) return; // one huge result must not flush everything else
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#remove(previous);
    const entry: Entry = { key, outcome: { ...outcome, encoded, logLines: [] }, bytes };
    this.#entries.set(key, entry);
    this.#byIndex.add(entry, readSet);
    this.#bytes += bytes;
    for (const oldest of this.#entries.values()) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#bytes <= this.#limits.maxBytes) break;
      this.#remove(oldest);
    }
  }

  /** Forgets everything (new code was loaded); runs in progress will not be kept either. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#byIndex.clear();
    this.#bytes = 0;
  }

  #onCommit(commit: Commit): void {
    for (const run of this.#runs) run.commits.push(commit);
    for (const entry of this.#byIndex.candidates(commit.writeSet)) {
      // An entry read at or after this commit already saw it (reads may see a commit before
      // the database announces it, once it is durable).
      if (commit.ts > entry.outcome.ts && readSetOverlaps(entry.outcome.readSet!, commit.writeSet)) this.#remove(entry);
    }
    if (commit.ts > this.#checkedThrough) this.#checkedThrough = commit.ts;
  }

  #remove(entry: Entry): void {
    this.#entries.delete(entry.key);
    this.#byIndex.remove(entry, entry.outcome.readSet);
    this.#bytes -= entry.bytes;
  }
}

/** A cheap estimate of a wire value's size: the length its JSON text would have, roughly. */
function approximateBytes(value: JSONValue): number {
  if (typeof value === "string") return value.length + 2;
  if (typeof value !== "object" || value === null) return 8;
  let bytes = 2;
  if (Array.isArray(value)) {
    for (const item of value) bytes += approximateBytes(item) + 1;
  } else {
    for (const key in value) bytes += key.length + 4 + approximateBytes(value[key]!);
  }
  return bytes;
}
