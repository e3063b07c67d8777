// The vectors of one vector index, held in memory (vector-rows.ts) so a search compares a query
// with every vector in a few milliseconds instead of reading every entry. Loaded from the index's
// entry keys on first use - each key ends with the vector's float32 bytes (vector-entries.ts), so
// a load copies bytes and reads no document - then kept in step with writes: each write to a table
// with a vector index marks the document dirty with the timestamp it commits at, and a search at
// snapshot S reloads the dirty documents whose write is at or before S (a write not committed yet,
// or rolled back, stays marked until a snapshot covers its timestamp - reloading then reads
// whatever is true). Nothing is kept per document until the first search, so a table nobody
// searches costs no memory. The cache is per process, which is right while one server owns a
// database (both engines refuse a second one).
//
// Memory is bounded: all caches of the process together hold at most the budget
// (SYNCLINE_VECTOR_CACHE_MB, default 512 MiB: ~80,000 vectors of 1,536 dimensions). Loading one
// evicts the least recently searched others until it fits; an index too large for the whole
// budget is not cached at all, and each search over it streams its entries from storage (exact,
// but as slow as a first search).

import type { IndexInfo, TableInfo } from "./catalog.js";
import { valueAtPath } from "./catalog.js";
import { decodeDocument } from "./document-decode.js";
import { encodeKey, keySuccessor, prefixEnd } from "./keys.js";
import { documentVector, vectorSpecOf, type VectorIndexSpec } from "./special-indexes.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";
import { copyFloat32s, unitVector, vectorEntryParts, type VectorEntryParts } from "./vector-entries.js";
import { CHUNK_ROWS, VectorRows } from "./vector-rows.js";

const DEFAULT_BUDGET_MB = 512;

function budgetFromEnvironment(): number {
  const text = process.env.SYNCLINE_VECTOR_CACHE_MB;
  if (text === undefined || text === "") return DEFAULT_BUDGET_MB * 1024 * 1024;
  const mb = Number(text);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`SYNCLINE_VECTOR_CACHE_MB must be a number of megabytes (0 or more), got "${text}".`);
  return mb * 1024 * 1024;
}

let budgetBytes = budgetFromEnvironment();

/** Caches holding rows, least recently searched first. */
const resident = new Set<VectorCache>();

/** The cached vectors of one index. */
export class VectorCache {
  /** The rows; set while loaded or loading, undefined when evicted or never loaded. */
  rows: VectorRows | undefined;
  /** True when `rows` holds every vector at some snapshot, brought forward by `dirty`. */
  loaded = false;
  /** The load in progress (settles, never rejects): other searches wait for it instead of loading too. */
  loading: Promise<void> | undefined;
  /** Documents written since they were cached: id -> newest commit timestamp of such a write. */
  readonly dirty = new Map<string, bigint>();
  /**
   * Before the cache is loaded only the newest write's timestamp is kept (nothing per document):
   * a load at a snapshot older than it may have missed a write, so it is not marked loaded.
   */
  newestWriteBeforeLoad = 0n;
  /** The budget a load last found too small for this index (searches stream while it stands). */
  tooLargeFor: number | undefined;

  constructor(
    readonly index: IndexInfo,
    readonly spec: VectorIndexSpec,
  ) {}
}

const caches = new WeakMap<IndexInfo, VectorCache>();

/** The cache of `index` (created empty, not loaded, on first use). */
export function vectorCacheOf(index: IndexInfo, spec: VectorIndexSpec): VectorCache {
  let cache = caches.get(index);
  if (cache === undefined) {
    cache = new VectorCache(index, spec);
    caches.set(index, cache);
  }
  return cache;
}

/**
 * Sets the memory all vector caches of the process may hold together (undefined: back to
 * SYNCLINE_VECTOR_CACHE_MB or its default), evicting at once what no longer fits.
 *
 * @example
 * setVectorCacheBudget(64 * 1024 * 1024);
 */
export function setVectorCacheBudget(bytes: number | undefined): void {
  budgetBytes = bytes ?? budgetFromEnvironment();
  makeRoom(undefined, 0);
}

/**
 * What the vector caches hold now: bytes and rows per resident index, least recently searched first.
 *
 * @example
 * vectorCacheUsage() // { budget: 536870912, bytes: 61931520, indexes: [{ index: "by_embedding", rows: 10000, bytes: 61931520 }] }
 */
export function vectorCacheUsage(): { budget: number; bytes: number; indexes: { index: string; rows: number; bytes: number }[] } {
  const indexes = [...resident].map((cache) => ({ index: cache.index.name, rows: cache.rows?.count ?? 0, bytes: cache.rows?.bytes ?? 0 }));
  return { budget: budgetBytes, bytes: indexes.reduce((sum, entry) => sum + entry.bytes, 0), indexes };
}

/** Drops `cache`'s rows; the next search loads them again. */
function evict(cache: VectorCache): void {
  resident.delete(cache);
  cache.rows = undefined;
  cache.loaded = false;
  // Writes marked since the load count as writes before the next one.
  for (const ts of cache.dirty.values()) if (ts > cache.newestWriteBeforeLoad) cache.newestWriteBeforeLoad = ts;
  cache.dirty.clear();
}

/**
 * Evicts the least recently searched caches other than `keep` (and loads in progress) until
 * `needed` more bytes fit; false when they cannot fit even then.
 */
function makeRoom(keep: VectorCache | undefined, needed: number): boolean {
  let used = 0;
  for (const cache of resident) if (cache !== keep) used += cache.rows?.bytes ?? 0;
  for (const cache of [...resident]) {
    if (used + needed <= budgetBytes) break;
    if (cache === keep || cache.loading !== undefined) continue;
    used -= cache.rows?.bytes ?? 0;
    evict(cache);
  }
  return used + needed <= budgetBytes;
}

/**
 * Marks document `id` dirty in every vector index of `table` (called by every write).
 *
 * @example
 * noteVectorWrites(table, id, tx.commitTs);
 */
export function noteVectorWrites(table: TableInfo, id: string, commitTs: bigint | undefined): void {
  for (const index of table.indexes.values()) {
    const spec = vectorSpecOf(index);
    if (spec === undefined) continue;
    const cache = vectorCacheOf(index, spec);
    // Without a commit timestamp (never for user writes) the mark waits for any later snapshot.
    const ts = commitTs ?? 1n << 63n;
    if (!cache.loaded) {
      if (ts > cache.newestWriteBeforeLoad) cache.newestWriteBeforeLoad = ts;
      continue;
    }
    const previous = cache.dirty.get(id);
    if (previous === undefined || previous < ts) cache.dirty.set(id, ts);
  }
}

/** A key-bytes string of a value, so equal values compare equal as strings. */
export function filterKey(value: Document[string]): string {
  return Buffer.from(encodeKey([value])).toString("latin1");
}

/** Entries one page of a load or a streamed search reads (~6 MB at 1,536 dimensions). */
const LOAD_PAGE = 1024;

/**
 * Calls `visit` for every entry of the cache's index at the transaction's snapshot, a page at a
 * time (only one page is in memory), until `visit` answers false.
 *
 * @example
 * await forEachVectorEntry(tx, cache, (entry) => score(entry));
 */
export async function forEachVectorEntry(tx: TxState, cache: VectorCache, visit: (entry: VectorEntryParts) => boolean | void): Promise<void> {
  const { filterFields, dimensions } = cache.spec;
  let low: Uint8Array = new Uint8Array(0);
  const high = prefixEnd(low);
  for (;;) {
    const keys = await tx.store.scanKeys({ indexId: cache.index.id, low, high, order: "asc", limit: LOAD_PAGE });
    for (const key of keys) if (visit(vectorEntryParts(key, filterFields.length, dimensions)) === false) return;
    if (keys.length < LOAD_PAGE) return;
    low = keySuccessor(new Uint8Array(keys[keys.length - 1]!));
  }
}

/** Loads every entry into fresh rows; false (and nothing kept) when they do not fit the budget. */
async function load(tx: TxState, cache: VectorCache): Promise<boolean> {
  const snapshot = tx.snapshotTs ?? 0n;
  const rows = new VectorRows(cache.spec.dimensions);
  cache.rows = rows;
  resident.add(cache);
  let fits = true;
  await forEachVectorEntry(tx, cache, (entry) => {
    const { chunk, offset } = rows.place(rows.upsert(entry.id, entry.filters));
    copyFloat32s(entry.vector, chunk, offset);
    // Checked as the rows grow a chunk: an index too large is given up early.
    if (rows.count % CHUNK_ROWS === 0) fits = makeRoom(cache, rows.bytes);
    return fits;
  });
  fits &&= makeRoom(cache, rows.bytes);
  if (!fits) {
    cache.tooLargeFor = budgetBytes;
    evict(cache);
    return false;
  }
  cache.tooLargeFor = undefined;
  // A write not covered by this snapshot may be missing: the next search loads again.
  cache.loaded = cache.newestWriteBeforeLoad <= snapshot;
  return true;
}

/** The unit vector and filter values of the document stored as `json`, or undefined when it has no vector. */
function entryOfDocument(cache: VectorCache, json: string): { vector: Float32Array; filters: string[] } | undefined {
  const document = decodeDocument(json);
  // Checked as every write is checked (a stored document always passes).
  const values = documentVector(cache.spec, cache.index.name, cache.index.table, document);
  if (values === undefined) return undefined;
  return { vector: unitVector(values), filters: cache.spec.filterFields.map((field) => filterKey(valueAtPath(document, field))) };
}

/** Reloads the documents written since the load whose writes the snapshot covers. */
async function applyDirty(tx: TxState, cache: VectorCache, rows: VectorRows): Promise<void> {
  const snapshot = tx.snapshotTs ?? 0n;
  for (const [id, ts] of [...cache.dirty]) {
    if (ts > snapshot) continue;
    const json = await tx.store.loadDocumentJson(id);
    const entry = json === undefined ? undefined : entryOfDocument(cache, json);
    if (entry === undefined) rows.delete(id);
    else {
      const { chunk, offset } = rows.place(rows.upsert(id, entry.filters));
      chunk.set(entry.vector, offset);
    }
    if (cache.dirty.get(id) === ts) cache.dirty.delete(id);
  }
}

/**
 * The index's vectors as of the transaction's snapshot, loading them on first use and reloading
 * documents written since; undefined when the index is too large for the cache budget (the
 * caller then streams the entries with `forEachVectorEntry`).
 *
 * @example
 * const rows = await residentVectors(tx, cache);
 */
export async function residentVectors(tx: TxState, cache: VectorCache): Promise<VectorRows | undefined> {
  for (;;) {
    if (cache.tooLargeFor !== undefined && cache.tooLargeFor >= budgetBytes) return undefined;
    if (cache.loaded && cache.rows !== undefined) {
      const rows = cache.rows;
      resident.delete(cache);
      resident.add(cache); // most recently searched
      await applyDirty(tx, cache, rows);
      // Rows evicted meanwhile are still whole: this search uses them, the next one loads again.
      return rows;
    }
    if (cache.loading !== undefined) {
      // Another search's load: its failure is that search's to report; this one then loads itself.
      await cache.loading;
      continue;
    }
    const loading = load(tx, cache);
    cache.loading = loading.then(
      () => undefined,
      () => undefined,
    );
    let fits: boolean;
    try {
      fits = await loading;
    } catch (error) {
      evict(cache); // a part of the rows must not count as loaded, nor against the budget
      throw error;
    } finally {
      cache.loading = undefined;
    }
    if (!fits) return undefined;
    // Not marked loaded (a write newer than this snapshot): these rows still answer this search.
    if (!cache.loaded) {
      const rows = cache.rows!;
      evict(cache);
      return rows;
    }
  }
}
