// How text becomes search terms, for documents and queries alike: split on anything that is not
// a letter, digit or combining mark (whitespace and punctuation), and lowercase. Indexing and
// querying use the same function, so "Hello, World!" matches a search for "hello world".

import { MAX_TERM_LENGTH } from "./search-limits.js";

const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;

/**
 * The terms of `text`, in order, repeats kept.
 *
 * @example
 * tokenize("Hello, hello World!") // ["hello", "hello", "world"]
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const piece of text.toLowerCase().split(SEPARATORS)) {
    if (piece === "") continue;
    // Cut to MAX_TERM_LENGTH so one huge token cannot make an index key huge; cutting (rather
    // than dropping) keeps such words findable.
    terms.push(piece.length > MAX_TERM_LENGTH ? [...piece].slice(0, MAX_TERM_LENGTH).join("") : piece);
  }
  return terms;
}

/** How often each term occurs in a text, and how many terms it has. */
export interface TermCounts {
  readonly counts: ReadonlyMap<string, number>;
  readonly length: number;
}

/**
 * Counts the terms of `text` (the per-document statistics a posting stores).
 *
 * @example
 * countTerms("a b a").counts.get("a") // 2
 */
export function countTerms(text: string): TermCounts {
  const terms = tokenize(text);
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { counts, length: terms.length };
}
