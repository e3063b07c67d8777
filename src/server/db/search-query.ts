// Running a full-text search over a search index's postings (special-indexes.ts), inside the
// caller's transaction: consistent with its snapshot, seeing its own writes, and recording in
// the read set exactly the posting ranges it scanned - so a subscription re-runs when a write
// adds, changes or removes a posting of one of its terms.
//
// Ranking is BM25 (k1 = 1.2, b = 0.75) over the documents that match any term: idf from how many
// of them hold each term, length normalized by their average field length. Taking the statistics
// from the matching documents only keeps a result a function of what the search read, so its
// read set is exact (a write elsewhere in the table cannot change it) and the order is the same
// on every storage engine.

import type { Value } from "../../values/value.js";
import type { IndexInfo } from "./catalog.js";
import { valueAtPath } from "./catalog.js";
import { decodeDocument } from "./document-decode.js";
import { concatKeys, encodeKey, keySuccessor, prefixEnd } from "./keys.js";
import { MAX_SEARCH_FILTERS, MAX_SEARCH_RESULTS, MAX_SEARCH_TERMS } from "./search-limits.js";
import { tokenize } from "./search-text.js";
import { searchSlotPrefix, type SearchIndexSpec } from "./special-indexes.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";

/** One `.eq(field, value)` of a search. */
export interface SearchEquality {
  readonly field: string;
  readonly value: Value | undefined;
}

/** What `withSearchIndex(name, q => q.search(field, text).eq(...))` asks for. */
export interface SearchRequest {
  readonly index: IndexInfo;
  readonly spec: SearchIndexSpec;
  readonly text: string;
  readonly equalities: readonly SearchEquality[];
}

/** Postings read per page. */
const PAGE = 1024;
/**
 * The most postings one term may contribute. A term in more documents than this is scanned up to
 * here (in key order) and the read set covers exactly that part, so results stay consistent.
 */
export const MAX_POSTINGS_PER_TERM = 8_192;
const K1 = 1.2;
const B = 0.75;
/**
 * How much an occurrence of a longer word counts for the last (prefix) term: "light" finds
 * "lighthouse", but a field holding "light" itself ranks above one holding only "lighthouse".
 */
const PREFIX_WEIGHT = 0.5;

/** A matching document before it is decoded: its stored JSON, field length and term counts. */
interface Candidate {
  readonly id: string;
  readonly json: string;
  readonly length: number;
  readonly counts: number[];
}

/** The statistics a posting key ends with: ... 07 _id 00, 04 tf (8 bytes), 04 length (8 bytes). */
function postingTail(key: Uint8Array): { id: string; count: number; length: number } {
  const n = key.length;
  const count = decodeKeyFloat(key, n - 17);
  const length = decodeKeyFloat(key, n - 8);
  const idEnd = n - 19; // the 00 that ends the _id string
  let idStart = idEnd;
  while (idStart > 0 && key[idStart - 1] !== 0x07) idStart--; // ids are alphanumeric: no 07 inside
  return { id: Buffer.from(key.buffer, key.byteOffset + idStart, idEnd - idStart).toString("latin1"), count, length };
}

const scratch = new DataView(new ArrayBuffer(8));

/** The number whose order-preserving 8 bytes start at `at` (keys.ts writes them). */
function decodeKeyFloat(key: Uint8Array, at: number): number {
  const positive = (key[at]! & 0x80) !== 0;
  for (let i = 0; i < 8; i++) scratch.setUint8(i, positive ? key[at + i]! : ~key[at + i]! & 0xff);
  if (positive) scratch.setUint8(0, key[at]! ^ 0x80);
  return scratch.getFloat64(0);
}

/** Every posting in `[low, high)` (up to the per-term cap), recording what was scanned. */
async function scanPostings(tx: TxState, index: IndexInfo, low: Uint8Array, high: Uint8Array, visit: (key: Uint8Array, json: string) => void): Promise<void> {
  const recorded = tx.readSet?.add(index.id, low, low);
  let from = low;
  let seen = 0;
  for (;;) {
    const limit = Math.min(PAGE, MAX_POSTINGS_PER_TERM - seen);
    const rows = await tx.store.scanPage({ indexId: index.id, low: from, high, order: "asc", limit });
    for (const row of rows) visit(row.key, row.json);
    if (rows.length > 0) from = keySuccessor(rows[rows.length - 1]!.key);
    seen += rows.length;
    if (recorded !== undefined) recorded.high = from;
    if (rows.length < limit || seen >= MAX_POSTINGS_PER_TERM) {
      if (rows.length < limit && recorded !== undefined) recorded.high = high;
      return;
    }
  }
}

function checkRequest(request: SearchRequest): { terms: string[]; slot: Uint8Array; rest: SearchEquality[] } {
  const { index, spec, equalities } = request;
  if (typeof request.text !== "string") throw new Error(`Search index "${index.name}" of table "${index.table}": search() needs a string, got ${typeof request.text}.`);
  if (equalities.length > MAX_SEARCH_FILTERS) {
    throw new Error(`Search index "${index.name}" of table "${index.table}": at most ${MAX_SEARCH_FILTERS} eq() filters per search, got ${equalities.length}.`);
  }
  const all = tokenize(request.text);
  const terms = [...new Set(all)];
  if (terms.length > MAX_SEARCH_TERMS) {
    throw new Error(`Search index "${index.name}" of table "${index.table}": at most ${MAX_SEARCH_TERMS} search terms per query, got ${terms.length}.`);
  }
  // The last term of the text is the one typed last: it also matches as a prefix.
  const last = all[all.length - 1];
  if (last !== undefined) {
    terms.splice(terms.indexOf(last), 1);
    terms.push(last);
  }
  const [first, ...rest] = equalities;
  const slot = searchSlotPrefix(first === undefined ? undefined : { position: spec.filterFields.indexOf(first.field), value: first.value });
  return { terms, slot, rest };
}

/** What a search read: its best documents, and whether they are all that match. */
export interface SearchResults {
  /** The matching documents in relevance order (best first), at most `MAX_SEARCH_RESULTS`. */
  readonly documents: Document[];
  /** False when more documents match than a search reads: reading past `documents` is an error. */
  readonly complete: boolean;
}

/**
 * The error for reading past the `MAX_SEARCH_RESULTS` results of a search that has more.
 *
 * @example
 * if (!results.complete && wanted > results.documents.length) throw tooManySearchResults(request);
 */
export function tooManySearchResults(request: SearchRequest): Error {
  return new Error(
    `Search index "${request.index.name}" of table "${request.index.table}": more than ${MAX_SEARCH_RESULTS} documents match, and a search reads at most ${MAX_SEARCH_RESULTS}. ` +
      `Read fewer with take(n) or paginate(), or narrow the search with eq() filters or more terms.`,
  );
}

/**
 * The matching documents in relevance order (best first), at most 1024. An empty query (no
 * terms) matches nothing, like an empty search box.
 *
 * @example
 * runSearch(tx, { index, spec, text: "hello wor", equalities: [{ field: "channel", value: "#general" }] })
 */
export async function runSearch(tx: TxState, request: SearchRequest): Promise<SearchResults> {
  tx.assertOpen();
  const { terms, slot, rest } = checkRequest(request);
  if (terms.length === 0) return { documents: [], complete: true };
  const candidates = new Map<string, Candidate>();
  const documentFrequency = terms.map(() => 0);
  for (const [position, term] of terms.entries()) {
    const exact = concatKeys(slot, encodeKey([term]));
    const isPrefix = position === terms.length - 1;
    // A prefix: the term's encoding without its 00 terminator, up to every continuation.
    const low = isPrefix ? exact.subarray(0, exact.length - 1) : exact;
    const high = prefixEnd(low);
    await scanPostings(tx, request.index, low, high, (key, json) => {
      const { id, count, length } = postingTail(key);
      let candidate = candidates.get(id);
      if (candidate === undefined) {
        candidate = { id, json, length, counts: terms.map(() => 0) };
        candidates.set(id, candidate);
      }
      if (candidate.counts[position] === 0) documentFrequency[position]!++;
      // The byte after the term is its terminator (00) for the word itself; a longer word continues.
      const whole = !isPrefix || key[low.length] === 0;
      candidate.counts[position]! += whole ? count : count * PREFIX_WEIGHT; // a prefix's expansions add up
    });
  }
  let matching = [...candidates.values()];
  const decoded = new Map<string, Document>();
  if (rest.length > 0) {
    matching = matching.filter((candidate) => {
      const document = decodeDocument(candidate.json);
      tx.countRead();
      decoded.set(candidate.id, document);
      return rest.every((equality) => sameValue(valueAtPath(document, equality.field), equality.value));
    });
    for (let i = 0; i < terms.length; i++) documentFrequency[i] = matching.filter((candidate) => candidate.counts[i]! > 0).length;
  }
  const ranked = rank(matching, documentFrequency);
  const documents = ranked.slice(0, MAX_SEARCH_RESULTS).map((candidate) => {
    const known = decoded.get(candidate.id);
    if (known !== undefined) return known;
    tx.countRead();
    return decodeDocument(candidate.json);
  });
  return { documents, complete: ranked.length <= MAX_SEARCH_RESULTS };
}

/** BM25 over the matching documents; ties go to the smaller id, the same on every engine. */
function rank(matching: Candidate[], documentFrequency: number[]): Candidate[] {
  const n = matching.length;
  if (n === 0) return [];
  let totalLength = 0;
  for (const candidate of matching) totalLength += candidate.length;
  const averageLength = totalLength / n || 1;
  const idf = documentFrequency.map((df) => Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  const scored = matching.map((candidate) => {
    let score = 0;
    const norm = K1 * (1 - B + (B * candidate.length) / averageLength);
    candidate.counts.forEach((count, i) => {
      if (count > 0) score += idf[i]! * ((count * (K1 + 1)) / (count + norm));
    });
    return { candidate, score };
  });
  scored.sort((a, b) => b.score - a.score || (a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0));
  return scored.map((entry) => entry.candidate);
}

/** Equality as index keys see it (the same encoding, so 1 and 1n differ, -0 and 0 differ). */
function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  const x = encodeKey([a]);
  const y = encodeKey([b]);
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}
