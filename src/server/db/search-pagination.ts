// `.paginate()` on a search query. Search results are a ranked list (at most 1024 documents), so
// a cursor is a position in that list plus a fingerprint of the search (index, text, filters);
// a cursor of another query is an InvalidCursor error, as for index queries, so the client
// restarts from the first page.

import { createHash } from "node:crypto";
import type { PaginationOptions, PaginationResult } from "../define/database.js";
import { AppError } from "../../values/app-error.js";
import { encodeKey } from "./keys.js";
import { tooManySearchResults, type SearchRequest, type SearchResults } from "./search-query.js";
import type { Document } from "./validation.js";

const PREFIX = "s1.";

function fingerprint(search: SearchRequest, filterText: string): string {
  const hash = createHash("sha256");
  hash.update(`${search.index.id}\0${search.index.table}\0${search.index.name}\0${search.text}\0${filterText}\0`);
  for (const equality of search.equalities) {
    hash.update(`${equality.field}\0`);
    hash.update(encodeKey([equality.value]));
  }
  return hash.digest("base64url").slice(0, 11);
}

function cursorAt(print: string, position: number): string {
  return `${PREFIX}${print}.${position}`;
}

function positionOf(cursor: unknown, print: string): number {
  const match = typeof cursor === "string" ? /^s1\.([A-Za-z0-9_-]{11})\.(\d{1,5})$/.exec(cursor) : null;
  if (match === null || match[1] !== print) {
    throw new AppError({ paginationError: "InvalidCursor" }, "Invalid pagination cursor: it belongs to a different query or index. Restart from the first page.");
  }
  return Number(match[2]);
}

/**
 * One page of ranked search `found`. With `endCursor` the page ends exactly there (the reactive
 * re-run of an earlier page); a page grown past twice `numItems` recommends a split. A page that
 * would reach past the results of a search with more matches than it reads is an error.
 *
 * @example
 * paginateSearch(found, search, "", { numItems: 10, cursor: null }) // { page: found.documents.slice(0, 10), ... }
 */
export function paginateSearch(found: SearchResults, search: SearchRequest, filterText: string, options: PaginationOptions): PaginationResult<Document> {
  const results = found.documents;
  const numItems = options?.numItems;
  if (typeof numItems !== "number" || !Number.isFinite(numItems) || numItems < 0) {
    throw new Error(`paginate(): numItems must be a non-negative number, got ${String(numItems)}`);
  }
  const print = fingerprint(search, filterText);
  const start = options.cursor == null ? 0 : positionOf(options.cursor, print);
  const end = options.endCursor == null ? Math.min(start + Math.floor(numItems), results.length) : Math.max(start, positionOf(options.endCursor, print));
  if (!found.complete && options.endCursor == null && start + numItems > results.length) throw tooManySearchResults(search);
  const page = results.slice(start, end);
  const isDone = end >= results.length;
  const continueCursor = cursorAt(print, end);
  if (options.endCursor != null && page.length > 2 * numItems) {
    return { page, isDone, continueCursor, splitCursor: cursorAt(print, start + Math.floor(page.length / 2)), pageStatus: "SplitRecommended" };
  }
  return { page, isDone, continueCursor, splitCursor: null, pageStatus: null };
}
