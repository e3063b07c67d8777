// The limits of search and vector indexes, one place for the schema checks, the queries and
// their errors. They are the numbers Convex documents (its "Limits" page and the Limits sections
// of its full-text and vector search guides), so an app that runs there runs here, and one that
// would be refused there is refused here too - with an error naming the index and the field.

/** Search indexes one table may have. */
export const MAX_SEARCH_INDEXES_PER_TABLE = 4;
/** Filter fields one search index may list. */
export const MAX_SEARCH_FILTER_FIELDS = 16;
/** Distinct terms one search may use. */
export const MAX_SEARCH_TERMS = 16;
/** `.eq` filters one search may use. */
export const MAX_SEARCH_FILTERS = 8;
/** Longest term, in characters: longer ones are cut to it, in documents and queries alike. */
export const MAX_TERM_LENGTH = 32;
/**
 * Ranked results one search reads from its index. `take(n)`, `first()` and pages within them are
 * answered; reading past them (`collect()` when more documents match) is an error, not a silently
 * shortened list.
 */
export const MAX_SEARCH_RESULTS = 1024;

/** Vector indexes one table may have. */
export const MAX_VECTOR_INDEXES_PER_TABLE = 4;
/** Filter fields one vector index may list. */
export const MAX_VECTOR_FILTER_FIELDS = 16;
/** The fewest and most dimensions a vector index may have. */
export const MIN_VECTOR_DIMENSIONS = 2;
export const MAX_VECTOR_DIMENSIONS = 4096;
/** `q.eq` expressions one vector search's filter may hold (across all its `q.or`s). */
export const MAX_VECTOR_FILTERS = 64;
/** The most results one vector search returns, and how many it returns without a `limit`. */
export const MAX_VECTOR_LIMIT = 256;
export const DEFAULT_VECTOR_LIMIT = 10;
