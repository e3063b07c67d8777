// The vectors of one vector index, held in memory as unit-length float32 arrays so a search
// compares a query with every vector in a few milliseconds instead of reading and parsing every
// document. Loaded from the index's entries on first use (the filter values from their keys,
// only the vector field from each document: vector-read.ts), then kept in step with writes: each
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
import { readVector, vectorEntryKeyParts } from "./vector-read.js";

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

  /** The vector field's path, split on dots. */
  readonly path: readonly string[];

  constructor(
    readonly index: IndexInfo,
    readonly spec: VectorIndexSpec,
  ) {
    this.path = spec.vectorField.split(".");
  }
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

/** Scales `vector` to unit length in place (a zero vector stays zero). */
function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

/**
 * The vector of the document stored as `json`, read from the text (vector-read.ts) or, for text
 * that reader leaves alone, from the decoded document - checked as every write is checked.
 */
function vectorOf(cache: VectorCache, json: string, decoded: () => Document): Float32Array | undefined {
  const read = readVector(json, cache.path, cache.spec.dimensions);
  if (read !== null) return read === undefined ? undefined : normalize(read);
  const values = documentVector(cache.spec, cache.index.name, cache.index.table, decoded());
  return values === undefined ? undefined : normalize(Float32Array.from(values));
}

/** The cache entry of the document stored as `json`, or undefined when it has no vector. */
function entryOfDocument(cache: VectorCache, json: string): VectorEntry | undefined {
  let document: Document | undefined;
  const decoded = () => (document ??= decodeDocument(json));
  const vector = vectorOf(cache, json, decoded);
  if (vector === undefined) return undefined;
  return { vector, filters: cache.spec.filterFields.map((field) => filterKey(valueAtPath(decoded(), field))) };
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
        // The filter values and id are the entry's key; only the vector comes from the document.
        const { filters, id } = vectorEntryKeyParts(row.key, cache.spec.filterFields.length);
        const vector = vectorOf(cache, row.json, () => decodeDocument(row.json));
        if (vector !== undefined) cache.entries.set(id, { vector, filters });
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
    const entry = json === undefined ? undefined : entryOfDocument(cache, json);
    if (entry === undefined) cache.entries.delete(id);
    else cache.entries.set(id, entry);
    if (cache.dirty.get(id) === ts) cache.dirty.delete(id);
  }
}
