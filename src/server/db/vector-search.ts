// `ctx.vectorSearch(table, index, { vector, limit, filter })`: exact nearest neighbours by cosine
// similarity over a vector index's cached vectors (vector-cache.ts), read at one snapshot. Stored
// vectors and the query are unit length, so each score is one dot product.
// `filter` is `q.eq(field, value)` on the index's filter fields, or `q.or(...)` of those.

import type { Value } from "../../values/value.js";
import type { TableInfo } from "./catalog.js";
import { DEFAULT_VECTOR_LIMIT, MAX_VECTOR_FILTERS, MAX_VECTOR_LIMIT } from "./search-limits.js";
import { vectorSpecOf, type VectorIndexSpec } from "./special-indexes.js";
import type { TxState } from "./transaction.js";
import { filterKey, forEachVectorEntry, residentVectors, vectorCacheOf } from "./vector-cache.js";
import { copyFloat32s, unitDirection } from "./vector-entries.js";
import { CHUNK_ROWS, type VectorRows } from "./vector-rows.js";

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

function checkQuery(where: string, spec: VectorIndexSpec, query: VectorSearchQuery): { vector: Float64Array; limit: number; filter: VectorFilter | undefined } {
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
  // Stored vectors are unit length: with a unit query the dot product is the cosine.
  return { vector: unitDirection(vector), limit, filter };
}

function passes(filters: readonly string[], filter: VectorFilter | undefined): boolean {
  if (filter === undefined) return true;
  return filter.alternatives.some((alternative) => filters[alternative.position] === alternative.key);
}

/** The best `limit` results seen so far, kept sorted ascending by score (limit <= 256). */
class Best {
  readonly results: VectorSearchResult[] = [];

  constructor(private readonly limit: number) {}

  /** The score a candidate must beat to enter (-Infinity while there is room). */
  get threshold(): number {
    return this.results.length < this.limit ? -Infinity : this.results[0]!._score;
  }

  add(id: string, score: number): void {
    const results = this.results;
    if (results.length === this.limit) results.shift();
    let at = 0;
    while (at < results.length && results[at]!._score < score) at++;
    results.splice(at, 0, { _id: id, _score: score });
  }
}

/**
 * The dot product of `query` with the vector at `offset` of `stored`. Four running sums: the
 * additions of one do not wait for the others, which is most of the speed of this loop.
 */
function dot(query: Float64Array, stored: Float32Array, offset: number): number {
  const n = query.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += query[i]! * stored[offset + i]!;
    s1 += query[i + 1]! * stored[offset + i + 1]!;
    s2 += query[i + 2]! * stored[offset + i + 2]!;
    s3 += query[i + 3]! * stored[offset + i + 3]!;
  }
  for (; i < n; i++) s0 += query[i]! * stored[offset + i]!;
  return s0 + s1 + s2 + s3;
}

/** Scores every cached row that passes the filter. */
function scoreRows(rows: VectorRows, query: Float64Array, filter: VectorFilter | undefined, best: Best): void {
  const { dimensions, count } = rows;
  for (let c = 0; c * CHUNK_ROWS < count; c++) {
    const chunk = rows.chunks[c]!;
    const end = Math.min(CHUNK_ROWS, count - c * CHUNK_ROWS);
    for (let r = 0; r < end; r++) {
      const row = c * CHUNK_ROWS + r;
      if (filter !== undefined && !passes(rows.filters[row]!, filter)) continue;
      const score = dot(query, chunk, r * dimensions);
      if (score > best.threshold) best.add(rows.ids[row]!, score);
    }
  }
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
  const cache = vectorCacheOf(index, spec);
  const best = new Best(limit);
  const rows = await residentVectors(tx, cache);
  if (rows !== undefined) {
    scoreRows(rows, vector, filter, best);
  } else {
    // Too large for the cache budget: read the entries a page at a time, keeping none.
    const scratch = new Float32Array(spec.dimensions);
    await forEachVectorEntry(tx, cache, (entry) => {
      if (!passes(entry.filters, filter)) return;
      copyFloat32s(entry.vector, scratch, 0);
      const score = dot(vector, scratch, 0);
      if (score > best.threshold) best.add(entry.id, score);
    });
  }
  return best.results.reverse();
}
