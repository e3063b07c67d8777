// `ctx.db.query(table)`: choose an index and range, an order and filters, then read with take,
// first, unique, collect, paginate or `for await`. Builder steps return new objects, so a query
// value can be reused; reading happens only in the terminal calls.

import type { PaginationOptions, PaginationResult } from "../define/database.js";
import type { IndexInfo, TableInfo } from "./catalog.js";
import { compileFilter, FilterExpression, type filterBuilder } from "./filter.js";
import { rangeOf, type IndexRangeBuilderImpl } from "./index-range.js";
import { paginateQuery } from "./pagination.js";
import { IndexScan, type KeyRange } from "./scan.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";
import { SearchFilterImpl } from "./search-filter.js";
import { paginateSearch } from "./search-pagination.js";
import { runSearch, tooManySearchResults, type SearchRequest, type SearchResults } from "./search-query.js";
import { isSpecialIndex, searchSpecOf } from "./special-indexes.js";

interface QueryState {
  readonly index: IndexInfo | undefined;
  readonly range: KeyRange | undefined;
  readonly order: "asc" | "desc" | undefined;
  readonly filters: readonly FilterExpression[];
  /** Set by `withSearchIndex`: the query reads search results instead of an index range. */
  readonly search?: SearchRequest;
}

const INITIAL: QueryState = { index: undefined, range: undefined, order: undefined, filters: [] };

/** The query object behind `QueryInitializer`, `Query` and `OrderedQuery`. */
export class QueryImpl implements AsyncIterable<Document> {
  constructor(
    private readonly tx: TxState,
    private readonly table: TableInfo,
    private readonly state: QueryState = INITIAL,
  ) {}

  private with(change: Partial<QueryState>): QueryImpl {
    return new QueryImpl(this.tx, this.table, { ...this.state, ...change });
  }

  private assertNoIndexYet(method: string): void {
    if (this.state.index !== undefined) throw new Error(`${method}(): the query on "${this.table.name}" already chose its index.`);
    if (this.state.order !== undefined || this.state.filters.length > 0) {
      throw new Error(`${method}() must come right after query("${this.table.name}"), before order() and filter().`);
    }
  }

  /**
   * Reads through index `name`, optionally restricted by a range.
   *
   * @example
   * db.query("messages").withIndex("by_room", (q) => q.eq("room", "lobby").gt("_creationTime", since))
   */
  withIndex(name: string, range?: (q: IndexRangeBuilderImpl) => unknown): QueryImpl {
    this.assertNoIndexYet("withIndex");
    const index = this.table.indexes.get(name);
    if (index === undefined) {
      const known = [...this.table.indexes.keys()].join(", ");
      throw new Error(`Index "${name}" not found on table "${this.table.name}" (its indexes: ${known}).`);
    }
    if (isSpecialIndex(index)) {
      throw new Error(`Index "${name}" of table "${this.table.name}" is a search or vector index: query it with withSearchIndex (or ctx.vectorSearch), not withIndex.`);
    }
    this.assertReady(index);
    return this.with({ index, range: rangeOf(index, range) });
  }

  private assertReady(index: IndexInfo): void {
    if (this.tx.snapshotTs !== undefined && index.readyTs > this.tx.snapshotTs) {
      throw new Error(`Index "${index.name}" of table "${this.table.name}" was built after this transaction's snapshot; run it again.`);
    }
  }

  /**
   * Runs a full-text search on search index `name`; results come in relevance order.
   *
   * @example
   * db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "hello").eq("channel", "#general"))
   */
  withSearchIndex(name: string, build: (q: SearchFilterImpl) => unknown): QueryImpl {
    this.assertNoIndexYet("withSearchIndex");
    const index = this.table.indexes.get(name);
    const spec = index === undefined ? undefined : searchSpecOf(index);
    if (index === undefined || spec === undefined) {
      const searchIndexes = [...this.table.indexes.values()].filter((candidate) => searchSpecOf(candidate) !== undefined).map((candidate) => candidate.name);
      const known = searchIndexes.length === 0 ? "it has none; add one with defineTable(...).searchIndex(name, { searchField })" : `its search indexes: ${searchIndexes.join(", ")}`;
      throw new Error(`Search index "${name}" not found on table "${this.table.name}" (${known}).`);
    }
    this.assertReady(index);
    if (typeof build !== "function") throw new Error(`withSearchIndex("${name}", ...) needs a callback: (q) => q.search(field, text).`);
    const built = build(new SearchFilterImpl(index, spec));
    if (!(built instanceof SearchFilterImpl)) throw new Error(`withSearchIndex("${name}", ...): the callback must return q.search(...) (with its eq() calls).`);
    return this.with({ index, search: built.request() });
  }

  /** Reads the whole table in creation order. */
  fullTableScan(): QueryImpl {
    this.assertNoIndexYet("fullTableScan");
    return this.with({ index: this.table.byCreationTime, range: rangeOf(this.table.byCreationTime, undefined) });
  }

  /** Sets the direction of the index order (ascending by default). */
  order(order: "asc" | "desc"): QueryImpl {
    if (this.state.search !== undefined) throw new Error(`order() cannot follow withSearchIndex(): search results come in relevance order.`);
    if (order !== "asc" && order !== "desc") throw new Error(`order() takes "asc" or "desc", got ${JSON.stringify(order)}.`);
    if (this.state.order !== undefined) throw new Error(`order() can only be called once on a query.`);
    return this.with({ order });
  }

  /** Keeps the documents for which `predicate` is true (does not narrow what is scanned). */
  filter(predicate: (q: typeof filterBuilder) => unknown): QueryImpl {
    return this.with({ filters: [...this.state.filters, compileFilter(predicate)] });
  }

  private plan(): { index: IndexInfo; range: KeyRange; order: "asc" | "desc"; filter: FilterExpression | undefined } {
    const index = this.state.index ?? this.table.byCreationTime;
    const range = this.state.range ?? rangeOf(index, undefined);
    const { filters } = this.state;
    let filter: FilterExpression | undefined;
    if (filters.length === 1) filter = filters[0];
    else if (filters.length > 1) {
      const text = `and(${filters.map((f) => f.text).join(",")})`;
      filter = new FilterExpression((doc) => filters.every((f) => f.evaluate(doc) === true), text);
    }
    return { index, range, order: this.state.order ?? "asc", filter };
  }

  /** The search results that pass the query's filters (a search query). */
  private async searchResults(search: SearchRequest): Promise<SearchResults> {
    const { filter } = this.plan();
    const found = await runSearch(this.tx, search);
    return filter === undefined ? found : { documents: found.documents.filter((document) => filter.evaluate(document) === true), complete: found.complete };
  }

  /** Reads up to `limit` matching documents (the scan fetches exactly `limit` rows when nothing is filtered). */
  private async read(limit: number): Promise<Document[]> {
    if (this.state.search !== undefined) {
      const { documents, complete } = await this.searchResults(this.state.search);
      if (!complete && limit > documents.length) throw tooManySearchResults(this.state.search);
      return documents.slice(0, limit);
    }
    const { index, range, order, filter } = this.plan();
    const scan = new IndexScan(this.tx, index, range, order, filter === undefined ? limit : Infinity);
    const out: Document[] = [];
    while (out.length < limit) {
      const wait = scan.ready();
      if (wait) await wait;
      const row = scan.next();
      if (row === undefined) break;
      if (filter === undefined || filter.evaluate(row.document) === true) out.push(row.document);
    }
    return out;
  }

  /**
   * The first `n` documents.
   *
   * @example
   * await db.query("messages").order("desc").take(50)
   */
  async take(n: number): Promise<Document[]> {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new Error(`take() needs a non-negative integer, got ${String(n)}.`);
    return this.read(n);
  }

  /** The first document, or null. */
  async first(): Promise<Document | null> {
    return (await this.read(1))[0] ?? null;
  }

  /** The only document, or null; throws when there is more than one. */
  async unique(): Promise<Document | null> {
    const found = await this.read(2);
    if (found.length > 1) {
      throw new Error(`unique() found more than one document in table "${this.table.name}": ${found[0]!._id as string}, ${found[1]!._id as string}.`);
    }
    return found[0] ?? null;
  }

  /** Every matching document. */
  async collect(): Promise<Document[]> {
    return this.read(Infinity);
  }

  /** One page of the results (protocol.md §14). */
  async paginate(options: PaginationOptions): Promise<PaginationResult<Document>> {
    const { index, range, order, filter } = this.plan();
    const tx = this.tx;
    const first = !tx.paginated;
    tx.paginated = true;
    // The journal pins the first paginated query's end (protocol.md §14).
    const journal = first && options?.endCursor == null ? tx.journalEndCursor : undefined;
    const pinned = journal === undefined ? options : { ...options, endCursor: journal };
    const { search } = this.state;
    const result =
      search === undefined ? await paginateQuery({ tx, index, range, order, filter }, pinned) : paginateSearch(await this.searchResults(search), search, filter?.text ?? "", pinned);
    if (first) tx.paginationEndCursor = result.continueCursor;
    return result;
  }

  /**
   * Iterates lazily, one page of rows fetched at a time; awaiting other work between documents
   * is fine.
   *
   * @example
   * for await (const doc of db.query("messages")) { if (done(doc)) break; }
   */
  [Symbol.asyncIterator](): AsyncIterator<Document> {
    const { search } = this.state;
    if (search !== undefined) {
      let results: SearchResults | undefined;
      let position = 0;
      return {
        next: async (): Promise<IteratorResult<Document>> => {
          results ??= await this.searchResults(search);
          if (position < results.documents.length) return { done: false, value: results.documents[position++]! };
          if (!results.complete) throw tooManySearchResults(search);
          return { done: true, value: undefined };
        },
        return: async (): Promise<IteratorResult<Document>> => ({ done: true, value: undefined }),
      };
    }
    const { index, range, order, filter } = this.plan();
    let scan: IndexScan | undefined;
    return {
      next: async (): Promise<IteratorResult<Document>> => {
        scan ??= new IndexScan(this.tx, index, range, order);
        for (;;) {
          const wait = scan.ready();
          if (wait) await wait;
          const row = scan.next();
          if (row === undefined) return { done: true, value: undefined };
          if (filter === undefined || filter.evaluate(row.document) === true) return { done: false, value: row.document };
        }
      },
      return: async (): Promise<IteratorResult<Document>> => ({ done: true, value: undefined }),
    };
  }
}
