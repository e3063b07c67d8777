// The query cache's bookkeeping on its own: what a commit invalidates, commits that land while a
// query runs, code reloads mid-run, and the size bounds. The database is a stand-in that only
// announces commits.

import { describe, expect, it } from "vitest";
import { keyBound } from "../../../src/server/db/read-set.js";
import type { Commit, ReadSet } from "../../../src/server/db/types.js";
import { QueryCache, type QueryCacheLimits } from "../../../src/server/runtime/query-cache.js";
import type { QueryOutcome } from "../../../src/server/runtime/runtime.js";

const INDEX = 7;
const key = (...bytes: number[]) => Uint8Array.from(bytes);
/** Read `[low, high)` of one index. */
const reading = (low: number, high: number): ReadSet => ({ ranges: [{ indexId: INDEX, low: keyBound(key(low)), high: keyBound(key(high)) }] });
const commit = (ts: bigint, at: number): Commit => ({ ts, writeSet: { writes: [{ indexId: INDEX, key: key(at) }] } });
const outcome = (value: string, ts: bigint, readSet: ReadSet): QueryOutcome => ({ ok: true, value, logLines: [`[LOG] '${value}'`], ts, readSet, usedIdentity: false });

const valueOf = (hit: QueryOutcome | undefined) => (hit?.ok ? hit.value : undefined);

function cacheOver(limits?: QueryCacheLimits) {
  const listeners: ((commit: Commit) => void)[] = [];
  const db = { latestTimestamp: () => 10n, onCommit: (listener: (commit: Commit) => void) => (listeners.push(listener), () => {}) };
  const cache = new QueryCache(db, limits);
  const announce = (c: Commit) => listeners.forEach((listener) => listener(c));
  const store = (name: string, result: QueryOutcome) => cache.finish(cache.begin(), name, result);
  return { cache, announce, store };
}

describe("QueryCache", () => {
  it("answers at the newest checked commit, without log lines, until a commit writes into the read set", () => {
    const { cache, announce, store } = cacheOver();
    store("q", outcome("a", 10n, reading(1, 3)));
    expect(cache.get("q")).toMatchObject({ value: "a", ts: 10n, logLines: [] });
    announce(commit(11n, 5)); // outside [1, 3)
    expect(cache.get("q")).toMatchObject({ value: "a", ts: 11n });
    announce(commit(12n, 2)); // inside
    expect(cache.get("q")).toBeUndefined();
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0, hits: 2 });
  });

  it("keeps a result read after a commit that is announced later", () => {
    const { cache, announce, store } = cacheOver();
    // The snapshot at 12 already holds commit 12, announced once durable: it must not evict it.
    store("q", outcome("a", 12n, reading(1, 3)));
    announce(commit(12n, 2));
    expect(cache.get("q")).toMatchObject({ value: "a", ts: 12n });
  });

  it("does not keep a result that a commit made during its run changed", () => {
    const { cache, announce } = cacheOver();
    const stale = cache.begin();
    const fresh = cache.begin();
    announce(commit(11n, 2));
    cache.finish(stale, "stale", outcome("old", 10n, reading(1, 3))); // read before 11, which wrote inside
    cache.finish(fresh, "fresh", outcome("new", 11n, reading(1, 3))); // read at 11: saw it
    expect(cache.get("stale")).toBeUndefined();
    expect(cache.get("fresh")).toMatchObject({ value: "new" });
  });

  it("keeps nothing that began before a clear (the code changed)", () => {
    const { cache } = cacheOver();
    const run = cache.begin();
    cache.clear();
    cache.finish(run, "q", outcome("old code", 10n, reading(1, 3)));
    expect(cache.get("q")).toBeUndefined();
  });

  it("keeps no failure", () => {
    const { cache, store } = cacheOver();
    store("q", { ok: false, message: "boom", logLines: [], ts: 10n, readSet: reading(1, 3), usedIdentity: false });
    expect(cache.get("q")).toBeUndefined();
  });

  it("drops the least recently used beyond its entry and byte bounds, and never takes one result too big", () => {
    const { cache, store } = cacheOver({ maxEntries: 2, maxBytes: 400 });
    store("a", outcome("a", 10n, reading(1, 3)));
    store("b", outcome("b", 10n, reading(1, 3)));
    cache.get("a"); // now b is the least recently used
    store("c", outcome("c", 10n, reading(1, 3)));
    expect(["a", "b", "c"].map((name) => valueOf(cache.get(name)))).toEqual(["a", undefined, "c"]);

    store("big", outcome("x".repeat(150), 10n, reading(1, 3))); // over a quarter of the bytes
    expect(cache.get("big")).toBeUndefined();
    expect(cache.stats.entries).toBe(2);

    const bytesBefore = cache.stats.bytes;
    store("c", outcome("c2", 10n, reading(1, 3))); // replacing an entry does not count it twice
    expect(cache.stats.bytes - bytesBefore).toBe(1);
    expect(valueOf(cache.get("c"))).toBe("c2");
  });
});
