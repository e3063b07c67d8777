// The vectors of one vector index, held in memory as unit-length float32 arrays so a search
// compares a query with every vector in a few milliseconds instead of reading and parsing every
// document. Loaded from the index's entries on first use, then kept in step with writes: each
// write to a table with a vector index marks the document dirty with the timestamp it commits
// at, and a search at snapshot S reloads the dirty documents whose write is at or before S
// (a write not committed yet, or rolled back, stays marked until a snapshot covers its
// timestamp - reloading then reads whatever is true). Nothing is kept per document until the
// first search, so a table nobody searches costs no memory. The cache is per process, which is
// right while one server owns a database (both engines refuse a second one).

import type { IndexInfo, TableInfo } from "./catalog.js";
import { decodeDocument } from "./documents.js";
import { encodeKey, keySuccessor, prefixEnd } from "./keys.js";
import { documentVector, vectorSpecOf, type VectorIndexSpec } from "./special-indexes.js";
import { valueAtPath } from "./catalog.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";

/** One document's vector (unit length) and its filter values (as key bytes, for equality). */
export interface VectorEntry {
  readonly vector: Float32Array;
  readonly filters: readonly string[];
}

/** The cached vectors of one index. */
export class VectorCache {
  loaded = false;
  readonly entries = new Map<string, VectorEntry>();
  /** Documents written since they were cached: id -> newest commit timestamp of such a write. */
  readonly dirty = new Map<string, bigint>();
  /**
   * Before the cache is loaded only the newest write's timestamp is kept (nothing per document):
   * a load at a snapshot older than it may have missed a write, so it is not marked loaded.
   */
  newestWriteBeforeLoad = 0n;

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

/** The cache entry of a document, or undefined when it has no vector. */
function entryOf(cache: VectorCache, document: Document): VectorEntry | undefined {
  const values = documentVector(cache.spec, cache.index.name, cache.index.table, document);
  if (values === undefined) return undefined;
  const vector = Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return { vector, filters: cache.spec.filterFields.map((field) => filterKey(valueAtPath(document, field))) };
}

const LOAD_PAGE = 512;

/**
 * Brings the cache up to the transaction's snapshot: a first load reads every entry of the
 * index a page at a time; later calls reload only the documents written since.
 *
 * @example
 * await refreshVectorCache(tx, cache);
 */
export async function refreshVectorCache(tx: TxState, cache: VectorCache): Promise<void> {
  const snapshot = tx.snapshotTs ?? 0n;
  if (!cache.loaded) {
    cache.entries.clear();
    let low: Uint8Array = new Uint8Array(0);
    const high = prefixEnd(low);
    for (;;) {
      const rows = await tx.store.scanPage({ indexId: cache.index.id, low, high, order: "asc", limit: LOAD_PAGE });
      for (const row of rows) {
        const document = decodeDocument(row.json);
        const entry = entryOf(cache, document);
        if (entry !== undefined) cache.entries.set(document._id as string, entry);
      }
      if (rows.length < LOAD_PAGE) break;
      low = keySuccessor(new Uint8Array(rows[rows.length - 1]!.key));
    }
    // A write not covered by this snapshot may be missing: the next search loads again.
    cache.loaded = cache.newestWriteBeforeLoad <= snapshot;
    return;
  }
  for (const [id, ts] of [...cache.dirty]) {
    if (ts > snapshot) continue;
    const json = await tx.store.loadDocumentJson(id);
    const entry = json === undefined ? undefined : entryOf(cache, decodeDocument(json));
    if (entry === undefined) cache.entries.delete(id);
    else cache.entries.set(id, entry);
    if (cache.dirty.get(id) === ts) cache.dirty.delete(id);
  }
}
