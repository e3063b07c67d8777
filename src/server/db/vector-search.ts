// `ctx.vectorSearch(table, index, { vector, limit, filter })`: exact nearest neighbours by cosine
// similarity over a vector index's cached vectors (vector-cache.ts), read at one snapshot.
// `filter` is `q.eq(field, value)` on the index's filter fields, or `q.or(...)` of those.

import type { Value } from "../../values/value.js";
import type { TableInfo } from "./catalog.js";
import { DEFAULT_VECTOR_LIMIT, MAX_VECTOR_FILTERS, MAX_VECTOR_LIMIT } from "./search-limits.js";
import { vectorSpecOf, type VectorIndexSpec } from "./special-indexes.js";
import type { TxState } from "./transaction.js";
import { filterKey, refreshVectorCache, vectorCacheOf, type VectorEntry } from "./vector-cache.js";

/** What `ctx.vectorSearch` takes. */
export interface VectorSearchQuery {
  vector: number[];
  limit?: number;
  filter?: (q: VectorFilterBuilder) => VectorFilter;
}

/** One result: a document id and its cosine similarity to the query (-1 to 1). */
export interface VectorSearchResult {
  _id: string;
  _score: number;
}

/** A compiled filter: which filter field equals which value, any of them. */
export class VectorFilter {
  constructor(readonly alternatives: readonly { readonly position: number; readonly key: string }[]) {}
}

/** The builder handed to `filter`. */
export interface VectorFilterBuilder {
  eq(field: string, value: Value | undefined): VectorFilter;
  or(...filters: VectorFilter[]): VectorFilter;
}


function builderFor(where: string, spec: VectorIndexSpec): VectorFilterBuilder {
  return {
    eq(field, value) {
      const position = spec.filterFields.indexOf(field);
      if (position < 0) {
        const known = spec.filterFields.length === 0 ? "it has none" : `its filter fields: ${spec.filterFields.join(", ")}`;
        throw new Error(`${where}: "${String(field)}" is not a filter field (${known}).`);
      }
      return new VectorFilter([{ position, key: filterKey(value) }]);
    },
    or(...filters) {
      if (filters.some((filter) => !(filter instanceof VectorFilter))) throw new Error(`${where}: q.or() takes q.eq(...) or q.or(...) expressions.`);
      return new VectorFilter(filters.flatMap((filter) => filter.alternatives));
    },
  };
}

function checkQuery(where: string, spec: VectorIndexSpec, query: VectorSearchQuery): { vector: Float32Array; limit: number; filter: VectorFilter | undefined } {
  if (typeof query !== "object" || query === null) throw new Error(`${where}: the query must be { vector, limit?, filter? }.`);
  const { vector } = query;
  if (!Array.isArray(vector) || vector.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
    throw new Error(`${where}: vector must be an array of finite numbers.`);
  }
  if (vector.length !== spec.dimensions) {
    throw new Error(`${where}: the vector has ${vector.length} numbers; field "${spec.vectorField}" of the index has ${spec.dimensions} dimensions.`);
  }
  const limit = query.limit ?? DEFAULT_VECTOR_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_VECTOR_LIMIT) {
    throw new Error(`${where}: limit must be an integer from 1 to ${MAX_VECTOR_LIMIT}, got ${String(limit)}.`);
  }
  let filter: VectorFilter | undefined;
  if (query.filter !== undefined) {
    const built: unknown = query.filter(builderFor(where, spec));
    if (!(built instanceof VectorFilter)) throw new Error(`${where}: filter must return q.eq(...) or q.or(...).`);
    if (built.alternatives.length > MAX_VECTOR_FILTERS) {
      throw new Error(`${where}: a filter may hold at most ${MAX_VECTOR_FILTERS} q.eq() expressions, got ${built.alternatives.length}.`);
    }
    filter = built;
  }
  return { vector: Float32Array.from(vector), limit, filter };
}

function passes(entry: VectorEntry, filter: VectorFilter | undefined): boolean {
  if (filter === undefined) return true;
  return filter.alternatives.some((alternative) => entry.filters[alternative.position] === alternative.key);
}

/**
 * The `limit` documents whose vectors are most similar to `query.vector`, best first.
 *
 * @example
 * await vectorSearch(tx, table, "by_embedding", { vector, limit: 10, filter: (q) => q.eq("genre", "jazz") })
 */
export async function vectorSearch(tx: TxState, table: TableInfo, indexName: string, query: VectorSearchQuery): Promise<VectorSearchResult[]> {
  const index = table.indexes.get(indexName);
  const spec = index === undefined ? undefined : vectorSpecOf(index);
  if (index === undefined || spec === undefined) {
    const names = [...table.indexes.values()].filter((candidate) => vectorSpecOf(candidate) !== undefined).map((candidate) => candidate.name);
    const known = names.length === 0 ? "it has none; add one with defineTable(...).vectorIndex(name, { vectorField, dimensions })" : `its vector indexes: ${names.join(", ")}`;
    throw new Error(`Vector index "${indexName}" not found on table "${table.name}" (${known}).`);
  }
  const where = `Vector index "${indexName}" of table "${table.name}"`;
  const { vector, limit, filter } = checkQuery(where, spec, query);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm) || 1;
  const cache = vectorCacheOf(index, spec);
  await refreshVectorCache(tx, cache);
  // Keep the best `limit` in a small array sorted ascending by score (limit <= 256).
  const best: VectorSearchResult[] = [];
  const dimensions = vector.length;
  for (const [id, entry] of cache.entries) {
    if (!passes(entry, filter)) continue;
    const stored = entry.vector;
    let dot = 0;
    for (let i = 0; i < dimensions; i++) dot += vector[i]! * stored[i]!;
    const score = dot / norm;
    if (best.length === limit) {
      if (score <= best[0]!._score) continue;
      best.shift();
    }
    let at = 0;
    while (at < best.length && best[at]!._score < score) at++;
    best.splice(at, 0, { _id: id, _score: score });
  }
  return best.reverse();
}
