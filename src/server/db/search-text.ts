// How text becomes search terms, for documents and queries alike: split on anything that is not
// a letter, digit or combining mark (whitespace and punctuation), and lowercase. Indexing and
// querying use the same function, so "Hello, World!" matches a search for "hello world".

/** The most distinct terms one search may use (Convex's limit: 16). */
export const MAX_SEARCH_TERMS = 16;
/** The most `.eq` filters one search may use (Convex: 8). */
export const MAX_SEARCH_FILTERS = 8;
/** The most documents one search returns (Convex: 1024). */
export const MAX_SEARCH_RESULTS = 1024;
/**
 * Terms longer than this are cut to it, in documents and queries alike, so one huge token cannot
 * make an index key huge; cutting (rather than dropping) keeps such words findable.
 */
export const MAX_TERM_LENGTH = 32;

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
