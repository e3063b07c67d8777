// Search and vector indexes live in the catalog like any index: a name, an id and a field list.
// Their field list starts with a marker ("$search" / "$vector", never a valid field name), so
// the catalog rows, schema installs and snapshots need no new columns, and both storage engines
// keep their entries in the same index-entry storage as every other index.
//
// Entries: a search index holds one entry per distinct term of a document's search field and
// posting list (see `searchSlotPrefix`),
//   key = [slot, term, _id, term frequency, field length in terms]
// (the statistics ride in the key so ranking never parses a document it does not return);
// a vector index holds one entry per document whose vector field is set,
//   key = [...filter values, _id] followed by the vector as float32s (vector-entries.ts).

import type { Value } from "../../values/value.js";
import type { IndexInfo } from "./catalog.js";
import { indexKey, valueAtPath } from "./catalog.js";
import { concatKeys, encodeKey } from "./keys.js";
import { countTerms } from "./search-text.js";
import type { Document } from "./validation.js";
import { vectorEntryKey } from "./vector-entries.js";

const SEARCH = "$search";
const VECTOR = "$vector";

/** A search index's definition (`defineTable(...).searchIndex(name, config)`). */
export interface SearchIndexSpec {
  readonly kind: "search";
  readonly searchField: string;
  readonly filterFields: readonly string[];
}

/** A vector index's definition (`defineTable(...).vectorIndex(name, config)`). */
export interface VectorIndexSpec {
  readonly kind: "vector";
  readonly vectorField: string;
  readonly dimensions: number;
  readonly filterFields: readonly string[];
}

export type SpecialIndexSpec = SearchIndexSpec | VectorIndexSpec;

/**
 * The catalog field list of a search or vector index.
 *
 * @example
 * specialIndexFields({ kind: "search", searchField: "body", filterFields: ["channel"] }) // ["$search", "body", "channel"]
 */
export function specialIndexFields(spec: SpecialIndexSpec): string[] {
  if (spec.kind === "search") return [SEARCH, spec.searchField, ...spec.filterFields];
  return [VECTOR, spec.vectorField, String(spec.dimensions), ...spec.filterFields];
}

/**
 * The search or vector definition behind a catalog field list, or undefined for a plain index.
 *
 * @example
 * specialIndexOf(["$vector", "embedding", "1536"]) // { kind: "vector", vectorField: "embedding", dimensions: 1536, filterFields: [] }
 */
export function specialIndexOf(fields: readonly string[]): SpecialIndexSpec | undefined {
  if (fields[0] === SEARCH) return { kind: "search", searchField: fields[1]!, filterFields: fields.slice(2) };
  if (fields[0] === VECTOR) return { kind: "vector", vectorField: fields[1]!, dimensions: Number(fields[2]), filterFields: fields.slice(3) };
  return undefined;
}

/** The search definition of `index`, or undefined. */
export function searchSpecOf(index: IndexInfo): SearchIndexSpec | undefined {
  const spec = specialIndexOf(index.fields);
  return spec?.kind === "search" ? spec : undefined;
}

/** The vector definition of `index`, or undefined. */
export function vectorSpecOf(index: IndexInfo): VectorIndexSpec | undefined {
  const spec = specialIndexOf(index.fields);
  return spec?.kind === "vector" ? spec : undefined;
}

/** True for a search or vector index (they cannot be read with `withIndex`). */
export function isSpecialIndex(index: IndexInfo): boolean {
  return specialIndexOf(index.fields) !== undefined;
}

function filterValues(document: Document, fields: readonly string[]): (Value | undefined)[] {
  return fields.map((field) => valueAtPath(document, field));
}

/**
 * The vector a document holds for `spec`, or undefined when the field is absent. Throws, naming
 * the index and field, when the field holds something that is not a vector of the right length:
 * every write is checked, so an index never holds a vector it cannot compare.
 *
 * @example
 * documentVector(spec, "by_embedding", "docs", { embedding: [0.1, 0.2] }) // [0.1, 0.2] (dimensions 2)
 */
export function documentVector(spec: VectorIndexSpec, indexName: string, table: string, document: Document): readonly number[] | undefined {
  const value = valueAtPath(document, spec.vectorField);
  if (value === undefined) return undefined;
  const where = `field "${spec.vectorField}" of vector index "${indexName}" on table "${table}"`;
  if (!Array.isArray(value) || value.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
    throw new Error(`The ${where} must hold an array of finite numbers (v.array(v.float64())), got ${describe(value)}.`);
  }
  if (value.length !== spec.dimensions) {
    throw new Error(`The ${where} holds a vector of ${value.length} numbers; the index has ${spec.dimensions} dimensions.`);
  }
  return value as number[];
}

function describe(value: Value): string {
  if (Array.isArray(value)) return "an array holding something other than finite numbers";
  return value === null ? "null" : typeof value;
}

/**
 * Every key `document` has in `index`: one for a plain index, one per distinct term for a search
 * index (none when its search field is not a string), one or none for a vector index.
 *
 * @example
 * entryKeys(searchIndex, { _id, body: "a b a" }) // [key(..."a", _id, 2, 3), key(..."b", _id, 1, 3)]
 */
export function specialEntryKeys(index: IndexInfo, spec: SpecialIndexSpec, document: Document): Uint8Array[] {
  const id = document._id as string;
  const filters = filterValues(document, spec.filterFields);
  if (spec.kind === "vector") {
    const vector = documentVector(spec, index.name, index.table, document);
    return vector === undefined ? [] : [vectorEntryKey(filters, id, vector)];
  }
  const text = valueAtPath(document, spec.searchField);
  if (typeof text !== "string") return [];
  const { counts, length } = countTerms(text);
  const keys: Uint8Array[] = [];
  for (const slot of searchSlots(filters)) {
    for (const [term, count] of counts) keys.push(concatKeys(slot, encodeKey([term, id, count, length])));
  }
  return keys;
}

/**
 * The posting lists a search document is in: the unfiltered one (slot 0) and one per filter
 * field and value (slot i + 1), so a search with any one `.eq` scans only the postings of that
 * value; further `.eq`s are checked on the candidates.
 *
 * @example
 * searchSlotPrefix(undefined) // postings of every document
 * searchSlotPrefix({ position: 0, value: "#general" }) // postings of documents whose first filter field is "#general"
 */
export function searchSlotPrefix(filter: { position: number; value: Value | undefined } | undefined): Uint8Array {
  return filter === undefined ? encodeKey([0]) : encodeKey([filter.position + 1, filter.value]);
}

function searchSlots(filters: readonly (Value | undefined)[]): Uint8Array[] {
  return [searchSlotPrefix(undefined), ...filters.map((value, position) => searchSlotPrefix({ position, value }))];
}

/**
 * Every key `document` has in `index`, whatever its kind.
 *
 * @example
 * entryKeys(byRoom, doc) // [indexKey(byRoom, doc)]
 */
export function entryKeys(index: IndexInfo, document: Document): Uint8Array[] {
  const spec = specialIndexOf(index.fields);
  return spec === undefined ? [indexKey(index, document)] : specialEntryKeys(index, spec, document);
}
